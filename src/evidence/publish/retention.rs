//! The retention period: how long the store must keep every object (Object Lock).

use crate::model::values::Period;

/// The retention asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// None configured: an error for object storage.
    Unset,
    /// `none`: no Object Lock (a bucket without Object Lock; nothing stops a deletion).
    NoLock,
    /// Object Lock in compliance mode for this long after publishing.
    For(Period),
}

impl std::str::FromStr for Retention {
    type Err = String;
    fn from_str(s: &str) -> Result<Retention, String> {
        match s.trim() {
            "none" => Ok(Retention::NoLock),
            other => {
                let period: Period = other.parse()?;
                // Also keeps the date arithmetic far from overflow.
                let days = match period {
                    Period::Hours(h) => u64::from(h) / 24,
                    Period::Days(d) => u64::from(d),
                    Period::Months(m) => u64::from(m) * 31,
                };
                if days > 100 * 366 {
                    return Err(format!("`{other}` is longer than 100 years"));
                }
                Ok(Retention::For(period))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_none_and_bounds() {
        assert_eq!("none".parse(), Ok(Retention::NoLock));
        assert_eq!("7 years".parse(), Ok(Retention::For(Period::Months(84))));
        assert_eq!("10年".parse(), Ok(Retention::For(Period::Months(120))));
        assert_eq!("30 days".parse(), Ok(Retention::For(Period::Days(30))));
        assert!("101 years".parse::<Retention>().is_err());
        assert!("4000000000 years".parse::<Retention>().is_err());
        assert!("forever".parse::<Retention>().is_err());
    }
}
