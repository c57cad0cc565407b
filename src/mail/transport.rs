//! Where mail goes: an SMTP server, or `.eml` files in a folder when none is configured.

use crate::db::outbox::LeasedMail;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport as _};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone)]
pub enum Transport {
    Smtp(SmtpTransport),
    Directory(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth another try later: connection refused, timeout, 4xx reply.
    #[error("{0}")]
    Transient(String),
    /// Will never succeed as it is: 5xx reply, unusable address.
    #[error("{0}")]
    Permanent(String),
}

impl Transport {
    pub fn from_settings(
        smtp_url: Option<&str>,
        mail_dir: PathBuf,
        timeout: Duration,
    ) -> anyhow::Result<Transport> {
        match smtp_url {
            Some(url) => {
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
                    .timeout(Some(timeout))
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => Ok(Transport::Directory(mail_dir)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Directory(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Blocking: call it from a blocking thread.
    pub fn send(&self, from: &Mailbox, mail: &LeasedMail) -> Result<(), DeliveryError> {
        let message = build_message(from, mail)?;
        match self {
            Transport::Smtp(smtp) => smtp.send(&message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    DeliveryError::Permanent(e.to_string())
                } else {
                    DeliveryError::Transient(e.to_string())
                }
            }),
            Transport::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DeliveryError::Transient(format!("{}: {e}", dir.display())))?;
                let path = dir.join(format!("{:06}.eml", mail.id));
                std::fs::write(&path, message.formatted())
                    .map_err(|e| DeliveryError::Transient(format!("{}: {e}", path.display())))?;
                tracing::info!(outbox_id = mail.id, path = %path.display(), "mail written to file");
                Ok(())
            }
        }
    }
}

fn build_message(from: &Mailbox, mail: &LeasedMail) -> Result<Message, DeliveryError> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| DeliveryError::Permanent(format!("recipient address unusable: {e}")))?;
    // text | (html + inline QR image): the image belongs to the HTML part only.
    let alternative = match &mail.checkin_qr {
        Some(text) => {
            let png = crate::qr::png(text)
                .ok_or_else(|| DeliveryError::Permanent("check-in QR code too long".into()))?;
            let png_type = ContentType::parse("image/png")
                .map_err(|e| DeliveryError::Permanent(format!("image type: {e}")))?;
            MultiPart::alternative()
                .singlepart(SinglePart::plain(mail.body_text.clone()))
                .multipart(
                    MultiPart::related()
                        .singlepart(SinglePart::html(mail.body_html.clone()))
                        .singlepart(
                            Attachment::new_inline("checkin-qr".into()).body(png, png_type),
                        ),
                )
        }
        None => MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()),
    };
    let body = match (
        &mail.attachment_name,
        &mail.attachment_type,
        &mail.attachment_body,
    ) {
        (Some(name), Some(content_type), Some(content)) => {
            let content_type = ContentType::parse(content_type).map_err(|e| {
                DeliveryError::Permanent(format!("attachment content type unusable: {e}"))
            })?;
            MultiPart::mixed()
                .multipart(alternative)
                .singlepart(Attachment::new(name.clone()).body(content.clone(), content_type))
        }
        _ => alternative,
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .multipart(body)
        .map_err(|e| DeliveryError::Permanent(format!("message could not be built: {e}")))
}
