//! Large export files on AWS: an S3 multipart upload per file (parts of at least 5 MiB, so a file
//! of any size passes through bounded memory) and presigned GETs for the download links. The
//! bucket is private; its lifecycle rule deletes files after a day.

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::time::Duration;
use usher_domain::ports::{FileError, FileStore, FileUpload, UploadState};

/// S3's smallest part (all but the last).
const MIN_PART: usize = 5 * 1024 * 1024;

fn fail(what: &str, e: impl std::error::Error) -> FileError {
    FileError(format!("{what}: {}", aws_sdk_s3::error::DisplayErrorContext(e)))
}

/// Export files in one bucket.
#[derive(Clone)]
pub struct S3Files {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Files {
    /// Files in `bucket`.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// An S3 client from the shared SDK configuration; path-style addressing when the endpoint
    /// is overridden (a local AWS-compatible server has no per-bucket host names).
    pub fn client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(sdk).force_path_style(sdk.endpoint_url().is_some()).build();
        aws_sdk_s3::Client::from_conf(conf)
    }
}

struct S3Upload {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    upload_id: String,
    pending: Vec<u8>,
    parts: Vec<CompletedPart>,
    bytes: u64,
}

impl S3Upload {
    async fn send_part(&mut self) -> Result<(), FileError> {
        let body = std::mem::take(&mut self.pending);
        let number = i32::try_from(self.parts.len() + 1).map_err(|_| FileError("too many parts".into()))?;
        self.bytes += body.len() as u64;
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| fail("uploading a part", e))?;
        self.parts.push(CompletedPart::builder().part_number(number).set_e_tag(out.e_tag().map(str::to_owned)).build());
        Ok(())
    }
}

#[async_trait::async_trait]
impl FileUpload for S3Upload {
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), FileError> {
        if self.pending.is_empty() {
            self.pending = bytes;
        } else {
            self.pending.extend_from_slice(&bytes);
        }
        if self.pending.len() >= MIN_PART {
            self.send_part().await?;
        }
        Ok(())
    }

    async fn stored(&mut self) -> Result<Option<UploadState>, FileError> {
        // A part under S3's 5 MiB minimum is held back: only whole parts count as stored.
        if !self.pending.is_empty() {
            return Ok(None);
        }
        let parts = self.parts.iter().map(|p| p.e_tag().unwrap_or_default().to_owned()).collect();
        Ok(Some(UploadState { upload_id: self.upload_id.clone(), parts, bytes: self.bytes }))
    }

    async fn finish(mut self: Box<Self>) -> Result<u64, FileError> {
        if !self.pending.is_empty() || self.parts.is_empty() {
            self.send_part().await?;
        }
        let done = CompletedMultipartUpload::builder().set_parts(Some(std::mem::take(&mut self.parts))).build();
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(done)
            .send()
            .await
            .map_err(|e| fail("completing the upload", e))?;
        Ok(self.bytes)
    }

    async fn abort(self: Box<Self>) {
        let aborted = self.client.abort_multipart_upload().bucket(&self.bucket).key(&self.key).upload_id(&self.upload_id).send().await;
        if let Err(e) = aborted {
            // The bucket's lifecycle rule removes incomplete uploads after a day anyway.
            tracing::warn!(error = %aws_sdk_s3::error::DisplayErrorContext(e), "could not abort an export upload");
        }
    }
}

#[async_trait::async_trait]
impl FileStore for S3Files {
    async fn begin(&self, key: &str, content_type: &str) -> Result<Box<dyn FileUpload>, FileError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| fail("starting an upload", e))?;
        let upload_id = out.upload_id().ok_or_else(|| FileError("S3 gave no upload id".into()))?.to_owned();
        Ok(Box::new(S3Upload {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            upload_id,
            pending: Vec::new(),
            parts: Vec::new(),
            bytes: 0,
        }))
    }

    async fn resume(&self, key: &str, _content_type: &str, stored: &UploadState) -> Result<Box<dyn FileUpload>, FileError> {
        // No call: the checkpoint holds the upload's id and each stored part's ETag as S3
        // answered them. An upload that is gone (aborted, or removed by the bucket's lifecycle
        // rule) fails the first UploadPart or the completion, and the caller starts over. A part
        // stored after the checkpoint (by the worker that died) is replaced by the next one and
        // left out of the completed file.
        let parts = (1..).zip(&stored.parts).map(|(number, tag)| CompletedPart::builder().part_number(number).e_tag(tag).build()).collect();
        Ok(Box::new(S3Upload {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            upload_id: stored.upload_id.clone(),
            pending: Vec::new(),
            parts,
            bytes: stored.bytes,
        }))
    }

    async fn link(&self, key: &str, filename: &str, ttl_secs: u64) -> Result<String, FileError> {
        let config = PresigningConfig::expires_in(Duration::from_secs(ttl_secs)).map_err(|e| FileError(e.to_string()))?;
        let safe_name: String = filename.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("attachment; filename=\"{safe_name}\""))
            .presigned(config)
            .await
            .map_err(|e| fail("signing a download link", e))?;
        Ok(presigned.uri().to_owned())
    }
}
