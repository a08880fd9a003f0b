//! A DNS server on loopback whose TXT records the test sets: `tests/support/dns_stub.py`
//! (dnslib, installed into `.venv` by `infra/scripts/with-moto.sh`, which also names its Python
//! in `USHER_TEST_PYTHON`), stopped when dropped. Usher reaches it through its real adapter
//! (`usher_dns::HickoryTxt::at`), so these tests prove the lookup too.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The stub, running.
pub struct DnsStub {
    child: Child,
    records: Mutex<BTreeMap<String, serde_json::Value>>,
    file: PathBuf,
    /// Where it listens (UDP and TCP).
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl DnsStub {
    /// Starts the stub with no records.
    pub fn start() -> Self {
        let python = std::env::var("USHER_TEST_PYTHON").expect("USHER_TEST_PYTHON (set by infra/scripts/with-moto.sh, with dnslib)");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("records.json");
        std::fs::write(&file, "{}").expect("records file");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("support/dns_stub.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the DNS stub");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the stub's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| panic!("the DNS stub printed no port: {line:?}"));
        Self { child, records: Mutex::new(BTreeMap::new()), file, addr: SocketAddr::from(([127, 0, 0, 1], port)), _dir: dir }
    }

    /// Usher's resolver, asking this stub.
    pub fn resolver(&self) -> Arc<dyn usher_domain::ports::TxtResolver> {
        Arc::new(usher_dns::HickoryTxt::at(self.addr).expect("resolver"))
    }

    fn write(&self, name: &str, value: Option<serde_json::Value>) {
        let mut records = self.records.lock().unwrap();
        match value {
            Some(v) => records.insert(name.to_owned(), v),
            None => records.remove(name),
        };
        // Written whole, then renamed: the stub never reads half a file.
        let tmp = self.file.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&*records).unwrap()).expect("records");
        std::fs::rename(&tmp, &self.file).expect("records");
    }

    /// `name` answers these TXT values.
    pub fn set_txt(&self, name: &str, values: &[&str]) {
        self.write(name, Some(serde_json::json!(values)));
    }

    /// `name` answers NXDOMAIN.
    pub fn remove(&self, name: &str) {
        self.write(name, None);
    }

    /// `name` answers SERVFAIL (the resolver fails, which says nothing about the record).
    pub fn fail(&self, name: &str) {
        self.write(name, Some(serde_json::json!("SERVFAIL")));
    }
}

impl Drop for DnsStub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
