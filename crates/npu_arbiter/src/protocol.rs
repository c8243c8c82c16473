//! Wire protocol: one JSON object per line over a Unix stream socket.
//! JSON lines keep the protocol debuggable with `socat` and cheap enough for
//! a few hundred messages per second.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::policy::{
    ClientId, CompletionReport, DropReason, GrantId, JobId, JobSpec, RejectReason, StreamId, StreamSpec,
};
use crate::stats::StatusSnapshot;

pub const PROTOCOL_VERSION: u32 = 1;
/// Longest accepted line; a peer sending more is broken or hostile.
pub const MAX_LINE: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClientMsg {
    Hello { name: String, pid: u32, version: u32 },
    RegisterStream { req: u64, spec: StreamSpec },
    Submit { req: u64, stream: StreamId, job: JobSpec },
    Complete { grant: GrantId, report: CompletionReport },
    Cancel { job: JobId },
    Status { req: u64 },
    SetTemperature { celsius: Option<f32> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome { client: ClientId, version: u32 },
    StreamRegistered { req: u64, stream: StreamId },
    Accepted { req: u64, job: JobId },
    Rejected { req: u64, reason: RejectReason },
    Granted { job: JobId, grant: GrantId, step: u32, lease_ns: u64, expected_cost_ns: u64 },
    Dropped { job: JobId, reason: DropReason },
    Completed { job: JobId, late: bool },
    Status { req: u64, snapshot: Box<StatusSnapshot> },
    Error { req: Option<u64>, message: String },
}

/// Reads newline-delimited frames with a size bound. Cancel-safe: all state
/// is in the struct and the only await is a cancel-safe `read`.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    scanned: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader { inner, buf: Vec::with_capacity(4096), scanned: 0 }
    }

    /// `Ok(None)` on clean EOF.
    pub async fn next_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + pos;
                let line = self.buf[..end].to_vec();
                self.buf.drain(..=end);
                self.scanned = 0;
                return Ok(Some(line));
            }
            self.scanned = self.buf.len();
            if self.buf.len() > MAX_LINE {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "line too long"));
            }
            let mut chunk = [0u8; 8192];
            let n = self.inner.read(&mut chunk).await?;
            if n == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "EOF inside a line"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

pub async fn write_msg<W: AsyncWrite + Unpin, M: Serialize>(w: &mut W, msg: &M) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
    line.push(b'\n');
    w.write_all(&line).await
}

pub fn parse<M: for<'de> Deserialize<'de>>(line: &[u8]) -> Result<M, serde_json::Error> {
    serde_json::from_slice(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_split_across_reads_and_eof() {
        let data: &[u8] = b"{\"a\":1}\n{\"b\":2}\npartial";
        let mut r = LineReader::new(data);
        assert_eq!(r.next_line().await.unwrap().unwrap(), b"{\"a\":1}");
        assert_eq!(r.next_line().await.unwrap().unwrap(), b"{\"b\":2}");
        assert!(r.next_line().await.is_err());
        let mut empty = LineReader::new(&b""[..]);
        assert!(empty.next_line().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn overlong_line_is_an_error() {
        let data = vec![b'x'; MAX_LINE + 20_000];
        let mut r = LineReader::new(&data[..]);
        assert_eq!(r.next_line().await.unwrap_err().kind(), std::io::ErrorKind::InvalidData);
    }

    #[test]
    fn roundtrip_and_garbage() {
        let m = ClientMsg::Complete {
            grant: GrantId(3),
            report: CompletionReport { measured_ns: 5, ..Default::default() },
        };
        let s = serde_json::to_vec(&m).unwrap();
        assert_eq!(parse::<ClientMsg>(&s).unwrap(), m);
        assert!(parse::<ClientMsg>(b"{\"op\":\"nope\"}").is_err());
        assert!(parse::<ClientMsg>(b"\xff\xfe").is_err());
    }
}
