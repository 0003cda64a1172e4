//! End-to-end: telaudit replaces only what it wrote (issue 26, items 1 and 2).
//! An output folder carries telaudit's marker; a folder holding other files is
//! refused without `--force`, and a name telaudit replaces that holds files
//! telaudit does not write is refused even with it; `audit ROOT/acme --out ROOT`
//! is refused; a batch never replaces or removes a client folder it did not
//! write; `--proposal-json` never overwrites an input or an output, and writes
//! through a link, a named pipe or a device instead of replacing it.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every file and folder below `dir`: relative path -> bytes (folders: `<dir>`).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut m = BTreeMap::new();
    fn walk(base: &Path, d: &Path, m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_path_buf();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                m.insert(rel, b"<dir>".to_vec());
                walk(base, &p, m);
            } else if meta.file_type().is_symlink() {
                m.insert(
                    rel,
                    fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes(),
                );
            } else {
                m.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut m);
    m
}

/// An analyst's work folder: their own dispute notes and change requests, no report.json.
fn analysts_folder(work: &Path) {
    fs::create_dir_all(work.join("disputes/Verizon")).unwrap();
    fs::write(work.join("disputes/Verizon/letter-to-rep.docx"), "my letter").unwrap();
    fs::create_dir_all(work.join("changes")).unwrap();
    fs::write(work.join("changes/ordered.xlsx"), "my orders").unwrap();
    fs::write(work.join("report.html"), "<p>my own report</p>").unwrap();
}

#[test]
fn an_output_folder_telaudit_did_not_write_is_refused_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("WORK");
    analysts_folder(&work);
    let before = tree(&work);
    for extra in [&[][..], &["--force"][..]] {
        let o = run_audit(&fixture("small-client"), &work, extra);
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        let err = stderr(&o);
        // disputes/ and changes/ are replaced as a whole: what they hold that telaudit
        // does not write is named, and --force does not override it.
        assert!(
            err.contains(&format!(
                "--out {}: changes/ordered.xlsx, disputes/Verizon/letter-to-rep.docx stand(s) where \
                 telaudit writes its outputs",
                work.display()
            )),
            "{extra:?}: {err}"
        );
        assert_eq!(tree(&work), before, "{extra:?}: the folder changed");
    }
    // Without those, a folder of other files and no marker needs --force ...
    fs::remove_dir_all(work.join("disputes")).unwrap();
    fs::remove_dir_all(work.join("changes")).unwrap();
    fs::write(work.join("notes.txt"), "mine").unwrap();
    fs::remove_file(work.join("report.html")).unwrap();
    let o = run_audit(&fixture("small-client"), &work, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds files telaudit did not write (notes.txt) and no .telaudit-out marker"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_dir(&work).unwrap().count(), 1);
    // ... and with it, telaudit writes beside them, marks the folder, and keeps them.
    let o = run_audit(&fixture("small-client"), &work, &["--force", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(work.join("notes.txt")).unwrap(), "mine");
    assert!(work.join(".telaudit-out").is_file() && work.join("report.json").is_file());
    // The next run knows the folder by its marker: no --force needed, notes kept.
    let o = run_audit(&fixture("small-client"), &work, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(work.join("notes.txt")).unwrap(), "mine");
}

/// The reviewer's case: an analyst adds their own files, with telaudit's own
/// extensions, into the output folders of an earlier run. The marker lists what
/// telaudit wrote there, so a rerun refuses (exit 2, with or without --force)
/// instead of deleting them; once they are moved out, the rerun replaces the
/// folders and the marker lists the new run's files alone.
#[test]
fn a_rerun_never_deletes_an_analysts_files_in_the_output_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&root().join("sample-data/acme-health"), &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let marker = fs::read_to_string(out.join(".telaudit-out")).unwrap();
    assert!(marker.starts_with("telaudit-out/2\n"), "{marker}");
    assert!(marker.contains("\nrecovery/claims.csv\n") && marker.contains("\ndisputes/new-claims.csv\n"));
    assert!(marker.contains("\nchanges/Lumen.csv\n"), "{marker}");
    let mine = [
        "changes/approved-by-cfo.csv",
        "disputes/Lumen/escalation-log.csv",
        "disputes/notes.md",
        "recovery/2024-claims.csv",
    ];
    for f in mine {
        fs::write(out.join(f), "the analyst's own").unwrap();
    }
    let before = tree(&out);
    for extra in [&["--quiet"][..], &["--quiet", "--force"][..]] {
        let o = run_audit(&root().join("sample-data/acme-health"), &out, extra);
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(
                "changes/approved-by-cfo.csv, disputes/Lumen/escalation-log.csv, disputes/notes.md, \
                 recovery/2024-claims.csv stand(s) where telaudit writes its outputs"
            ),
            "{extra:?}: {}",
            stderr(&o)
        );
        assert_eq!(tree(&out), before, "{extra:?}: the folder changed");
    }
    for f in mine {
        fs::remove_file(out.join(f)).unwrap();
    }
    // A client without a ledger: recovery/ goes, and the marker no longer lists it.
    let client = tmp.path().join("acme");
    copy_tree(&root().join("sample-data/acme-health"), &client);
    fs::remove_file(client.join("claims.csv")).unwrap();
    let o = run_audit(&client, &out, &["--quiet", "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("recovery").exists());
    let marker = fs::read_to_string(out.join(".telaudit-out")).unwrap();
    assert!(!marker.contains("recovery/"), "{marker}");
    assert!(out.join("report.json").is_file());
}

#[test]
fn audit_of_a_client_into_the_folder_of_clients_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ROOT");
    copy_tree(&fixture("small-client"), &root.join("acme"));
    // A sibling client named like an output folder, with its bills.
    copy_tree(&fixture("small-client"), &root.join("changes"));
    let before = tree(&root);
    for extra in [&[][..], &["--force"][..]] {
        let o = run_audit(&root.join("acme"), &root, extra);
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "--out {} holds the client folder {}",
                root.display(),
                root.join("acme").display()
            )),
            "{}",
            stderr(&o)
        );
        assert_eq!(tree(&root), before, "{extra:?}: a client folder changed");
    }
}

#[test]
fn batch_never_replaces_or_removes_a_client_folder_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture("small-client"), &root.join("acme"));
    copy_tree(&fixture("small-client"), &root.join("beta"));
    // "gamma" fails (no invoices/): a folder of that name in --out is not telaudit's.
    fs::create_dir_all(root.join("gamma")).unwrap();
    let out = tmp.path().join("out");
    analysts_folder(&out.join("acme"));
    fs::create_dir_all(out.join("gamma")).unwrap();
    fs::write(out.join("gamma/notes.txt"), "mine").unwrap();
    let (acme, gamma) = (tree(&out.join("acme")), tree(&out.join("gamma")));
    for extra in [&["--quiet"][..], &["--quiet", "--force"][..]] {
        let o = run_batch(&root, &out, extra);
        assert_eq!(code(&o), 1, "{extra:?}: {}", stderr(&o));
        let rows = summary_clients(&out);
        assert_eq!(rows[0].0, "acme");
        assert_eq!(rows[0].1, "error", "{extra:?}");
        let e = rows[0].2.clone().unwrap();
        assert!(
            e.contains(&format!(
                "{} exists but was not written by telaudit batch (no .telaudit-complete marker)",
                out.join("acme").display()
            )),
            "{e}"
        );
        assert_eq!(rows[1], ("beta".into(), "audited".into(), None), "{extra:?}");
        assert_eq!(rows[2].1, "error");
        assert!(
            rows[2].2.as_deref().unwrap().contains("was left as it was"),
            "{rows:?}"
        );
        assert_eq!(tree(&out.join("acme")), acme, "{extra:?}: acme changed");
        assert_eq!(tree(&out.join("gamma")), gamma, "{extra:?}: gamma changed");
    }
    // A folder the batch wrote, with an analyst's file added: not replaced either.
    fs::write(out.join("beta/my-notes.txt"), "mine").unwrap();
    let o = run_batch(&root, &out, &["--quiet", "--force"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rows = summary_clients(&out);
    assert_eq!(rows[1].1, "error");
    assert!(
        rows[1]
            .2
            .as_deref()
            .unwrap()
            .contains("holds files telaudit does not write (my-notes.txt)"),
        "{rows:?}"
    );
    assert_eq!(fs::read_to_string(out.join("beta/my-notes.txt")).unwrap(), "mine");
    assert!(out.join("beta/report.json").is_file());
}

/// The small client with a proposal, in `dir`.
fn proposal_client(dir: &Path) -> PathBuf {
    let client = dir.join("small-client");
    copy_tree(&fixture("small-client"), &client);
    fs::write(
        client.join("client.toml"),
        "name = \"Small\"\n[proposal]\none_time = \"1000.00\"\nmonthly = \"10.00\"\n",
    )
    .unwrap();
    client
}

#[test]
fn proposal_json_never_overwrites_an_input_or_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let client = proposal_client(tmp.path());
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    fs::create_dir_all(tmp.path().join("a-folder")).unwrap();
    let (client_before, out_before) = (tree(&client), tree(&out));
    let bill = file_paths(&client.join("invoices"))[0].clone();
    for (file, why) in [
        (client.join("client.toml"), "it lies inside the client folder"),
        (bill, "it lies inside the client folder"),
        (out.join("report.json"), "it is one of the outputs in"),
        (out.join("disputes/x.json"), "it is one of the outputs in"),
        (tmp.path().join("a-folder"), "a folder, not a file"),
    ] {
        let o = run_audit(&client, &out, &["--proposal-json", file.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{}: {}", file.display(), stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--proposal-json {}: {why}", file.display())),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("nothing was written"), "{}", stderr(&o));
        assert_eq!(tree(&client), client_before, "{}", file.display());
        assert_eq!(tree(&out), out_before, "{}", file.display());
    }
    // Beside the outputs, under its own name: written.
    let feed = out.join("proposal.json");
    let o = run_audit(
        &client,
        &out,
        &["--quiet", "--proposal-json", feed.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_json(&feed)["schema"], "telaudit.proposal/1");
}

#[test]
fn proposal_json_writes_through_a_link_a_named_pipe_and_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let client = proposal_client(tmp.path());
    let out = tmp.path().join("out");
    // A link to a file elsewhere: the link stays a link, the file gets the feed.
    let target = tmp.path().join("quotes/feed.json");
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(&target, "old").unwrap();
    let link = tmp.path().join("feed-link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run_audit(
        &client,
        &out,
        &["--quiet", "--proposal-json", link.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(read_json(&target)["schema"], "telaudit.proposal/1");
    // A named pipe: read by another thread while the audit writes into it.
    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let o = run_audit(
        &client,
        &out,
        &["--quiet", "--proposal-json", fifo.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = reader.join().unwrap();
    assert!(text.contains("\"schema\": \"telaudit.proposal/1\""), "{text}");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A character device: /dev/null stays a device.
    let o = run_audit(&client, &out, &["--quiet", "--proposal-json", "/dev/null"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    // A device that cannot take it: an error naming it, the device untouched.
    if Path::new("/dev/full").exists() {
        let o = run_audit(&client, &out, &["--quiet", "--proposal-json", "/dev/full"]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(stderr(&o).contains("cannot write /dev/full"), "{}", stderr(&o));
        assert!(fs::metadata("/dev/full").unwrap().file_type().is_char_device());
    }
}
