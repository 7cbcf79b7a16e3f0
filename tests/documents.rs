//! What a new administrator meets first: the container image builds from what the Dockerfile
//! copies, and the documents stand alone and agree with the binary.

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// --- the container image ------------------------------------------------------------------

/// The sources of the builder stage's `COPY` lines (`COPY --from=…` copies between stages).
fn dockerfile_copies() -> Vec<String> {
    let dockerfile = read("Dockerfile");
    let builder = dockerfile.split("\nFROM ").nth(1).expect("a builder stage");
    builder
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len() - 1]
                .iter()
                .map(|w| w.trim_end_matches('/').to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every file cargo needs to load the manifest and build the binary: the targets Cargo.toml
/// declares (cargo refuses a manifest whose target file is missing, even for `--bin`) and the
/// files `src/` includes at compile time.
fn files_the_build_needs() -> Vec<PathBuf> {
    let manifest: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml parses");
    let mut needed = vec![PathBuf::from("Cargo.toml"), PathBuf::from("Cargo.lock")];
    for (kind, dir) in [
        ("bench", "benches"),
        ("example", "examples"),
        ("test", "tests"),
        ("bin", "src/bin"),
    ] {
        for target in manifest
            .get(kind)
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
        {
            let path = match target.get("path").and_then(|p| p.as_str()) {
                Some(p) => PathBuf::from(p),
                None => Path::new(dir).join(format!("{}.rs", target["name"].as_str().unwrap())),
            };
            needed.push(path);
        }
    }
    if Path::new(ROOT).join("build.rs").exists() {
        needed.push("build.rs".into());
    }
    for source in rust_files(&Path::new(ROOT).join("src")) {
        let text = std::fs::read_to_string(&source).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (i, _) in text.match_indices(macro_name) {
                let rest = &text[i + macro_name.len()..];
                let included = &rest[..rest.find('"').unwrap()];
                let full = source.parent().unwrap().join(included);
                let full = full.canonicalize().unwrap_or(full);
                needed.push(full.strip_prefix(ROOT).unwrap().to_path_buf());
            }
        }
    }
    needed
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_dockerfile_copies_every_file_the_build_needs() {
    let copies = dockerfile_copies();
    assert!(copies.contains(&"src".to_string()), "{copies:?}");
    let ignored: Vec<String> = read(".dockerignore")
        .lines()
        .map(|l| l.trim().trim_end_matches('/').to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .collect();
    for file in files_the_build_needs() {
        let top = file
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let copied = copies
            .iter()
            .any(|c| file.starts_with(c) || file == Path::new(c));
        assert!(
            copied,
            "the image build needs {} but the Dockerfile copies only {copies:?}",
            file.display()
        );
        assert!(
            !ignored.iter().any(|i| *i == top),
            ".dockerignore leaves out {top}, which the build needs ({})",
            file.display()
        );
        assert!(Path::new(ROOT).join(&file).exists(), "{}", file.display());
    }
    // The real build from exactly that context is scripts/docker-context, run by .ci/run.
    assert!(read(".ci/run").contains("scripts/docker-context"));
}

// --- the documents and the binary agree ----------------------------------------------------

fn keywarden(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keywarden"))
        .args(args)
        .env_clear()
        .output()
        .expect("run keywarden");
    assert!(out.status.success(), "keywarden {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `KEYWARDEN_*`, `SLACK_*` and `GOOGLE_*` names in backticks on the lines of `text` kept by
/// `keep` (a README's tables, an env file's assignments).
fn variables(text: &str, keep: impl Fn(&str) -> bool) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| keep(l)) {
        for word in
            line.split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
        {
            if ["KEYWARDEN_", "SLACK_", "GOOGLE_"]
                .iter()
                .any(|p| word.starts_with(p) && word.len() > p.len())
            {
                found.insert(word.to_string());
            }
        }
    }
    found
}

/// The variables `keywarden --help` lists: the configuration's own list.
fn variables_in_help() -> std::collections::BTreeSet<String> {
    let help = keywarden(&["--help"]);
    let list = help
        .split("Variables")
        .nth(1)
        .expect("--help lists the variables");
    let list = list.split("Exit status").next().unwrap();
    variables(list, |_| true)
}

#[test]
fn every_variable_the_readme_tables_name_is_one_keywarden_reads_and_the_reverse() {
    let readme = read("README.md");
    // `KEYWARDEN_ROLE_*`-style groups are written out in full in the tables.
    let documented = variables(&readme, |l| l.starts_with('|'));
    let known = variables_in_help();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "the README's tables name variables keywarden does not read: {unknown:?}"
    );
    let undocumented: Vec<_> = known.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "variables keywarden reads that no README table documents: {undocumented:?}"
    );
    // The example environment file sets only variables keywarden reads.
    let example = read("deploy/keywarden.env.example");
    let set = variables(&example, |l| {
        let l = l.trim_start_matches(['#', ' ']);
        l.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
    });
    let unknown: Vec<_> = set.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "deploy/keywarden.env.example sets {unknown:?}"
    );
}

#[test]
fn every_documented_command_and_flag_exists() {
    let readme = read("README.md");
    let block = readme
        .split("## Commands")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("README has a Commands block");
    let commands = keywarden(&["--help"]);
    let mut seen = 0;
    for line in block.lines().filter(|l| l.starts_with("keywarden ")) {
        let sub = line.split_whitespace().nth(1).unwrap();
        assert!(
            commands.lines().any(|l| l.trim_start().starts_with(sub)),
            "README documents `keywarden {sub}`, which --help does not list"
        );
        let help = keywarden(&[sub, "--help"]);
        let flags = line.split('#').next().unwrap();
        for flag in flags
            .split(|c: char| c.is_whitespace() || c == '[' || c == ']')
            .filter(|w| w.starts_with("--"))
        {
            assert!(
                help.contains(flag),
                "README documents `keywarden {sub} {flag}`, which `{sub} --help` does not know"
            );
        }
        seen += 1;
    }
    assert!(seen >= 5, "{block}");
    // Every help says the exit codes; completions come out for the usual shells.
    for sub in ["run", "plan", "check", "serve"] {
        assert!(
            keywarden(&[sub, "--help"]).contains("Exit status: 0"),
            "{sub}"
        );
    }
    for shell in ["bash", "zsh", "fish"] {
        assert!(
            keywarden(&["completions", shell]).contains("keywarden"),
            "{shell}"
        );
    }
}

#[test]
fn the_documents_stand_alone() {
    // A clone has no contract file beside it: its documents, help texts and messages say the
    // behaviour instead of pointing at one.
    let mut texts: Vec<(String, String)> =
        ["README.md", "CHANGELOG.md", "Dockerfile", "template.yaml"]
            .iter()
            .map(|p| (p.to_string(), read(p)))
            .collect();
    for dir in ["deploy", "demo", "docs"] {
        texts.extend(files_under(&Path::new(ROOT).join(dir)));
    }
    for sub in ["run", "plan", "check", "demo", "serve"] {
        texts.push((
            format!("keywarden {sub} --help"),
            keywarden(&[sub, "--help"]),
        ));
    }
    texts.push(("keywarden demo".into(), keywarden(&["demo"])));
    for (name, text) in texts {
        for bad in ["../shared", "SPEC.md", "SPEC §"] {
            assert!(!text.contains(bad), "{name} refers to {bad:?}");
        }
    }
}

fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[test]
fn the_documents_do_not_contradict_what_the_code_does() {
    let docs = format!("{}\n{}", read("README.md"), read("deploy/README.md"));
    // Each phrase once said something the code does not do; the reason follows it.
    for (stale, truth) in [
        (
            "未実装",
            "Socket Mode is implemented (tests/socket_mode.rs)",
        ),
        (
            "not implemented yet",
            "Socket Mode is implemented (tests/socket_mode.rs)",
        ),
        ("テスト DM", "check posts nothing (tests/deploy.rs)"),
        ("test DM", "check posts nothing (tests/deploy.rs)"),
        (
            "stops the\ndaily run",
            "the daily job never reads the signing secret, only its name",
        ),
        (
            "stops the daily run",
            "the daily job never reads the signing secret",
        ),
        (
            "are both compiled in",
            "aws-lc-rs is not in the dependency tree",
        ),
    ] {
        assert!(
            !docs.contains(stale),
            "the documents say {stale:?}, but {truth}"
        );
    }
    assert!(Path::new(ROOT).join("tests/socket_mode.rs").exists());
    // The one TLS provider: aws-lc-rs is in no part of the lock file.
    assert!(!read("Cargo.lock").contains("name = \"aws-lc-rs\""));
}
