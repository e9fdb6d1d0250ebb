//! The data directory holds the database, the master key and the dev admin
//! key: Cognate creates it for its owner only (0700) and every file it puts
//! there 0600, whatever the umask (issue 12, item 8b).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::process::Running;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_data_directory_is_0700_and_its_files_0600() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("fresh").join("data");
    let server = Running::start(&["dev"], &data, &[]);
    // A request, so the database has written through its WAL.
    assert!(server.get("/health").contains("ok"));
    assert_eq!(format!("{:o}", mode(&data)), "700", "the data directory");
    for file in [
        "cognate.db",
        "cognate.db-wal",
        "cognate.db-shm",
        "master.key",
        "aws-credentials",
        "dev-sample.json",
    ] {
        assert_eq!(format!("{:o}", mode(&data.join(file))), "600", "{file}");
    }
    let mut unexpected = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if mode(&path) & 0o077 != 0 {
            unexpected.push(path);
        }
    }
    assert!(unexpected.is_empty(), "open to others: {unexpected:?}");
    assert_eq!(server.terminate(), Some(0));
}
