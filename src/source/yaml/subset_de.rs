//! Typed records from the nodes of [`super::subset`], deciding each plain scalar's type the way
//! serde-saphyr does for the types records use. Where its answer is not certain (YAML 1.1
//! booleans, octal or hexadecimal numbers, floats, a null where a string is asked for, a plain
//! scalar for a type that does not say what it holds) it declines, and the text is parsed
//! again by serde-saphyr, which gives the value or the error.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::subset::{self, Decline, Node, Tree, Value};
use crate::model::values::{AT_MARKER, with_subset_positions};

impl fmt::Display for Decline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not in the YAML subset")
    }
}

impl std::error::Error for Decline {}

impl de::Error for Decline {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Decline
    }
}

/// `T` from `text`, or [`Decline`] when the subset reader does not take the text or the
/// value does not fit `T` with certainty.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Decline> {
    let tree = subset::read(text)?;
    with_subset_positions(|| {
        T::deserialize(NodeDe {
            tree: &tree,
            node: &tree.root,
        })
    })
}

/// `null`, `Null`, `NULL`, `~`: YAML's null in serde-saphyr's reading.
fn is_null(s: &str) -> bool {
    matches!(s, "null" | "Null" | "NULL" | "~")
}

/// Decimal digits without a leading zero (serde-saphyr reads `0123` as octal or rejects it).
fn decimal(s: &str) -> Option<&str> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 1 || !digits.starts_with('0'));
    plain.then_some(s)
}

/// Nothing written, or a null written out.
fn is_null_value(value: &Value<'_>) -> bool {
    match value {
        Value::Null => true,
        Value::Plain(s) => is_null(s),
        _ => false,
    }
}

/// A node and the tree its children are in.
#[derive(Clone, Copy)]
struct NodeDe<'n, 'a> {
    tree: &'n Tree<'a>,
    node: &'n Node<'a>,
}

/// Decimal integers only (serde-saphyr also reads `+5`, `1_000`, `0x10`, `0o17`: declined).
macro_rules! integers {
    ($($method:ident: $ty:ty => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
            match self.node.value {
                Value::Plain(s) => {
                    let n: $ty = decimal(s).ok_or(Decline)?.parse().map_err(|_| Decline)?;
                    visitor.$visit(n)
                }
                _ => Err(Decline),
            }
        }
    )*};
}

macro_rules! declined {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Decline> {
            Err(Decline)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = Decline;

    /// Asked by types that do not say what they hold (none of the records): collections and
    /// quoted scalars are certain; a plain scalar's or a null's type is left to serde-saphyr.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match &self.node.value {
            Value::Text(s) => visitor.visit_str(s),
            Value::Map { .. } => self.deserialize_map(visitor),
            Value::Seq { .. } => self.deserialize_seq(visitor),
            Value::Plain(_) | Value::Null => Err(Decline),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match &self.node.value {
            Value::Plain(s) if !is_null(s) => visitor.visit_str(s),
            Value::Text(s) => visitor.visit_str(s),
            _ => Err(Decline),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match self.node.value {
            Value::Plain("true") => visitor.visit_bool(true),
            Value::Plain("false") => visitor.visit_bool(false),
            _ => Err(Decline),
        }
    }

    integers!(
        deserialize_u8: u64 => visit_u64,
        deserialize_u16: u64 => visit_u64,
        deserialize_u32: u64 => visit_u64,
        deserialize_u64: u64 => visit_u64,
        deserialize_i8: i64 => visit_i64,
        deserialize_i16: i64 => visit_i64,
        deserialize_i32: i64 => visit_i64,
        deserialize_i64: i64 => visit_i64
    );
    declined!(
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_bytes,
        deserialize_byte_buf
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        if is_null_value(&self.node.value) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        if is_null_value(&self.node.value) {
            visitor.visit_unit()
        } else {
            Err(Decline)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Decline> {
        self.deserialize_unit(visitor)
    }

    /// [`AT_MARKER`] asks for the value with its position (`model::values::At`).
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Decline> {
        if name == AT_MARKER {
            if !self.node.has_position() {
                return Err(Decline);
            }
            return visitor.visit_seq(Positioned { of: self, step: 0 });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match &self.node.value {
            Value::Seq { .. } => {
                let mut access = Items {
                    tree: self.tree,
                    items: self.tree.items(self.node).iter(),
                };
                let value = visitor.visit_seq(&mut access)?;
                // serde's visitors stop at the end; one that stops early is not ours to guess.
                if access.items.len() != 0 {
                    return Err(Decline);
                }
                Ok(value)
            }
            _ => Err(Decline),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Decline> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Decline> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match &self.node.value {
            Value::Map { .. } => {
                let mut access = Entries {
                    tree: self.tree,
                    entries: self.tree.entries(self.node),
                    value: None,
                };
                let value = visitor.visit_map(&mut access)?;
                if access.entries.len() != 0 {
                    return Err(Decline);
                }
                Ok(value)
            }
            _ => Err(Decline),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Decline> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Decline> {
        match &self.node.value {
            Value::Plain(s) if !is_null(s) => visitor.visit_enum(UnitVariant(s)),
            Value::Text(s) => visitor.visit_enum(UnitVariant(s)),
            _ => Err(Decline),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        visitor.visit_unit()
    }
}

/// `(line, column, value)` for `At`'s visitor.
struct Positioned<'n, 'a> {
    of: NodeDe<'n, 'a>,
    step: u8,
}

impl<'de> de::SeqAccess<'de> for Positioned<'_, '_> {
    type Error = Decline;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Decline> {
        self.step += 1;
        match self.step {
            1 => seed
                .deserialize(self.of.node.line.into_deserializer())
                .map(Some),
            2 => seed
                .deserialize(self.of.node.column.into_deserializer())
                .map(Some),
            3 => seed.deserialize(self.of).map(Some),
            _ => Ok(None),
        }
    }
}

struct Items<'n, 'a> {
    tree: &'n Tree<'a>,
    items: std::slice::Iter<'n, Node<'a>>,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Decline;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Decline> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDe {
                    tree: self.tree,
                    node,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'n, 'a> {
    tree: &'n Tree<'a>,
    /// Key and value, side by side.
    entries: std::slice::ChunksExact<'n, Node<'a>>,
    value: Option<&'n Node<'a>>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Decline;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Decline> {
        match self.entries.next() {
            Some([key, value]) => {
                self.value = Some(value);
                seed.deserialize(NodeDe {
                    tree: self.tree,
                    node: key,
                })
                .map(Some)
            }
            Some(_) => Err(Decline),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Decline> {
        let node = self.value.take().ok_or(Decline)?;
        seed.deserialize(NodeDe {
            tree: self.tree,
            node,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as its variant's name.
struct UnitVariant<'n>(&'n str);

impl<'de> de::EnumAccess<'de> for UnitVariant<'_> {
    type Error = Decline;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Decline> {
        let name: de::value::StrDeserializer<'_, Decline> = self.0.into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_> {
    type Error = Decline;

    fn unit_variant(self) -> Result<(), Decline> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Decline> {
        Err(Decline)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Decline> {
        Err(Decline)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Decline> {
        Err(Decline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_values_take_only_what_is_certain() {
        // serde_json::Value says nothing of its type: it asks `deserialize_any`.
        let quoted: serde_json::Value = from_str("a: ['x', {b: \"y\"}]\n").unwrap();
        assert_eq!(quoted, serde_json::json!({"a": ["x", {"b": "y"}]}));
        for plain in ["a: 1\n", "a: yes\n", "a: x\n", "a:\n", "a: ~\n"] {
            assert!(from_str::<serde_json::Value>(plain).is_err(), "{plain:?}");
        }
    }

    #[test]
    fn options_and_units_read_every_written_null() {
        for text in ["v:\n", "v: ~\n", "v: null\n", "v: Null\n", "v: NULL\n"] {
            let o: std::collections::BTreeMap<String, Option<String>> = from_str(text).unwrap();
            assert_eq!(o["v"], None, "{text:?}");
            let u: std::collections::BTreeMap<String, ()> = from_str(text).unwrap();
            assert_eq!(u["v"], (), "{text:?}");
        }
        let o: std::collections::BTreeMap<String, Option<String>> = from_str("v: ''\n").unwrap();
        assert_eq!(o["v"].as_deref(), Some(""));
        assert!(from_str::<std::collections::BTreeMap<String, ()>>("v: x\n").is_err());
    }
}
