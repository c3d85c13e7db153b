//! S3-compatible object storage (`s3://bucket/prefix`) through the AWS SDK, with the standard
//! credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and
//! ~/.aws/credentials, SSO caches, instance roles) and the standard endpoint variables
//! (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 for servers other than AWS, which are then
//! addressed path-style). Objects are created with `If-None-Match: *` and, when a retention
//! is given, Object Lock in COMPLIANCE mode until that time: nobody, not even the account's
//! administrator, can delete or overwrite that version before then.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime as S3DateTime};
use aws_sdk_s3::types::ObjectLockMode;
use chrono::{DateTime, Utc};
use tokio::runtime::Runtime;

use super::{Body, Created, Store, unreachable};
use crate::evidence::Error;

pub struct S3Store {
    bucket: String,
    /// The prefix inside the bucket, without leading or trailing `/` (may be empty).
    prefix: String,
    client: Client,
    runtime: Runtime,
}

impl S3Store {
    /// Opens the bucket, with the standard credential chain and endpoint variables.
    pub fn open(bucket: &str, prefix: &str) -> Result<S3Store, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new(format!("cannot start the S3 client: {e}"), "try again"))?;
        let client = runtime.block_on(async {
            let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .timeout_config(
                    aws_config::timeout::TimeoutConfig::builder()
                        .connect_timeout(std::time::Duration::from_secs(5))
                        .build(),
                )
                .load()
                .await;
            let mut config = aws_sdk_s3::config::Builder::from(&shared);
            if shared.region().is_none() {
                config = config.region(aws_sdk_s3::config::Region::new("us-east-1"));
            }
            // S3-compatible servers on a custom endpoint are addressed path-style
            // (`http://host:port/bucket/key`), which they all understand.
            if shared.endpoint_url().is_some() {
                config = config.force_path_style(true);
            }
            Client::from_conf(config.build())
        });
        Ok(S3Store {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            client,
            runtime,
        })
    }

    fn full_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }
}

impl S3Store {
    /// Whether the bucket has Object Lock enabled (required for a retention).
    fn object_lock_enabled(&self) -> Result<bool, Error> {
        self.runtime.block_on(async {
            match self
                .client
                .get_object_lock_configuration()
                .bucket(&self.bucket)
                .send()
                .await
            {
                Ok(out) => Ok(out
                    .object_lock_configuration()
                    .and_then(|c| c.object_lock_enabled())
                    .is_some_and(|e| e.as_str() == "Enabled")),
                Err(e)
                    if e.as_service_error().and_then(|s| s.code())
                        == Some("ObjectLockConfigurationNotFoundError") =>
                {
                    Ok(false)
                }
                Err(e) => Err(unreachable(
                    &self.location(),
                    "reading the bucket's Object Lock configuration",
                    short(&e),
                )),
            }
        })
    }
}

impl Store for S3Store {
    fn enforces_retention(&self) -> Result<bool, Error> {
        self.object_lock_enabled()
    }

    fn location(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let full = self.full_key(key);
        self.runtime.block_on(async {
            let out = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(&full)
                .send()
                .await;
            match out {
                Ok(o) => o
                    .body
                    .collect()
                    .await
                    .map(|b| Some(b.into_bytes().to_vec()))
                    .map_err(|e| unreachable(&self.location(), &format!("reading {key}"), e)),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
                Err(e) => Err(unreachable(
                    &self.location(),
                    &format!("reading {key}"),
                    short(&e),
                )),
            }
        })
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let full = self.full_key(prefix);
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        self.runtime.block_on(async {
            let mut keys = Vec::new();
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&full)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    unreachable(&self.location(), &format!("listing {prefix}"), short(&e))
                })?;
                for object in page.contents() {
                    if let Some(k) = object.key().and_then(|k| k.strip_prefix(strip.as_str())) {
                        keys.push(k.to_string());
                    }
                }
            }
            keys.sort();
            Ok(keys)
        })
    }

    fn create(
        &self,
        key: &str,
        body: Body,
        retain_until: Option<DateTime<Utc>>,
    ) -> Result<Created, Error> {
        let full = self.full_key(key);
        self.runtime.block_on(async {
            let stream = match body {
                Body::Bytes(b) => ByteStream::from(b.to_vec()),
                Body::File(path) => ByteStream::from_path(path).await.map_err(|e| {
                    Error::new(
                        format!("cannot read {}: {e}", path.display()),
                        "check the file's permissions",
                    )
                })?,
            };
            let mut put = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&full)
                .if_none_match("*")
                .body(stream);
            if let Some(until) = retain_until {
                put = put
                    .object_lock_mode(ObjectLockMode::Compliance)
                    .object_lock_retain_until_date(S3DateTime::from_secs(until.timestamp()));
            }
            match put.send().await {
                Ok(_) => Ok(Created::Yes),
                Err(e)
                    if e.as_service_error().is_some_and(|s| {
                        matches!(
                            s.code(),
                            Some("PreconditionFailed" | "ConditionalRequestConflict")
                        )
                    }) || e.raw_response().is_some_and(|r| r.status().as_u16() == 412) =>
                {
                    Ok(Created::Exists)
                }
                Err(e) => Err(unreachable(
                    &self.location(),
                    &format!("writing {key}"),
                    short(&e),
                )),
            }
        })
    }
}

/// A one-line account of an SDK failure: the service's code and message, or the innermost
/// cause of a connection failure.
fn short<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            format!(
                "{}: {}",
                err.code().unwrap_or("error"),
                err.message().unwrap_or("(no message)")
            )
        }
        other => {
            let mut cause: &dyn std::error::Error = other;
            let mut text = other.to_string();
            while let Some(next) = cause.source() {
                text = next.to_string();
                cause = next;
            }
            text
        }
    }
}
