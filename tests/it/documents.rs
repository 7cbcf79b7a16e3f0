//! What a new administrator meets first: the container image builds from what the Dockerfile
//! copies, and the documents stand alone and agree with the binary. The documents are README.md
//! (a short entry), docs/ (the guide, the rules the code cites, the architecture, the decisions,
//! the glossary, the benchmark) and deploy/README.md (the deployment, step by step).

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

/// The headings of a Markdown text outside its fenced code blocks, as (level, title, the byte
/// offset where the heading line starts).
fn headings(text: &str) -> Vec<(usize, &str, usize)> {
    let mut found = Vec::new();
    let mut fenced = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            let level = trimmed.len() - trimmed.trim_start_matches('#').len();
            if (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
                found.push((level, trimmed[level..].trim(), at));
            }
        }
        at += line.len();
    }
    found
}

/// The part of a Markdown text under the heading `title` (any level), up to the next heading
/// of the same or a higher level.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let all = headings(text);
    let i = all
        .iter()
        .position(|(_, t, _)| *t == title)
        .unwrap_or_else(|| panic!("no heading {title:?}"));
    let (level, _, start) = all[i];
    let end = all[i + 1..]
        .iter()
        .find(|(l, _, _)| *l <= level)
        .map_or(text.len(), |(_, _, at)| *at);
    &text[start..end]
}

/// The documents an administrator or a developer reads, as (path, text): README.md, every
/// Markdown file of docs/, and deploy/README.md.
fn documents() -> Vec<(String, String)> {
    let mut docs = vec![("README.md".to_string(), read("README.md"))];
    let mut in_docs: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    in_docs.sort();
    for name in in_docs {
        let path = format!("docs/{name}");
        docs.push((path.clone(), read(&path)));
    }
    docs.push(("deploy/README.md".to_string(), read("deploy/README.md")));
    docs
}

#[test]
fn the_guides_configuration_table_names_every_variable_keywarden_reads_and_no_other() {
    let guide = read("docs/guide.md");
    // `KEYWARDEN_ROLE_*`-style groups are written out in full in the table.
    let table = section(&guide, "Configuration");
    let documented = variables(table, |l| l.starts_with('|'));
    let known = variables_in_help();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "the guide's Configuration table names variables keywarden does not read: {unknown:?}"
    );
    let undocumented: Vec<_> = known.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "variables keywarden reads that the guide's Configuration table does not: {undocumented:?}"
    );
    // No table of any document names a variable keywarden does not read.
    for (path, text) in documents() {
        let named = variables(&text, |l| l.starts_with('|'));
        let unknown: Vec<_> = named.difference(&known).collect();
        assert!(
            unknown.is_empty(),
            "{path}'s tables name variables keywarden does not read: {unknown:?}"
        );
    }
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

/// The lines of the fenced code blocks of a Markdown text.
fn code_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if inside {
            lines.push(line.trim_start());
        }
    }
    lines
}

/// `keywarden <sub> [flags…]  # comment` names a subcommand `--help` lists, and flags that
/// subcommand's help knows.
fn assert_command_exists(path: &str, line: &str, commands: &str) {
    let sub = line.split_whitespace().nth(1).unwrap();
    assert!(
        commands.lines().any(|l| l.trim_start().starts_with(sub)),
        "{path} documents `keywarden {sub}`, which --help does not list"
    );
    let help = keywarden(&[sub, "--help"]);
    let flags = line.split('#').next().unwrap();
    for flag in flags
        .split(|c: char| c.is_whitespace() || c == '[' || c == ']')
        .filter(|w| w.starts_with("--"))
    {
        assert!(
            help.contains(flag),
            "{path} documents `keywarden {sub} {flag}`, which `{sub} --help` does not know"
        );
    }
}

#[test]
fn every_documented_command_and_flag_exists() {
    let commands = keywarden(&["--help"]);
    // The synopsis: the guide's Commands block, one line per subcommand.
    let guide = read("docs/guide.md");
    let block = section(&guide, "Commands")
        .split("```")
        .nth(1)
        .expect("the guide's Commands section has a block");
    let mut seen = 0;
    for line in block.lines().filter(|l| l.starts_with("keywarden ")) {
        assert_command_exists("docs/guide.md", line, &commands);
        seen += 1;
    }
    assert!(seen >= 5, "{block}");
    // And every command line of every other code block (the README's five-minute start, …).
    for (path, text) in documents() {
        for line in code_lines(&text)
            .into_iter()
            .filter(|l| l.starts_with("keywarden "))
        {
            assert_command_exists(&path, line, &commands);
        }
    }
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
        for bad in CONTRACT_REFERENCES {
            assert!(!text.contains(bad), "{name} refers to {bad:?}");
        }
    }
}

/// How a reference to the contract file a clone does not have looks. Split, so that this file
/// does not hold them itself.
const CONTRACT_REFERENCES: [&str; 3] = [
    concat!("..", "/shared"),
    concat!("SPEC", ".md"),
    concat!("SPEC", " §"),
];

/// How the code cites a section of the rules: `docs/rules.md §4` (split, as above).
const CITATION: &str = concat!("docs/rules.md", " §");

/// The rules' sections: number → the section's text (from its `## N. …` heading on).
fn rules_sections() -> std::collections::BTreeMap<u32, String> {
    let rules = read("docs/rules.md");
    let mut sections = std::collections::BTreeMap::new();
    for (level, title, _) in headings(&rules) {
        if level != 2 {
            continue;
        }
        let Some((n, _)) = title.split_once(". ") else {
            continue;
        };
        let n: u32 = n
            .parse()
            .unwrap_or_else(|_| panic!("docs/rules.md: ## {title}"));
        sections.insert(n, section(&rules, title).to_string());
    }
    sections
}

/// The digits at the start of `text`, and what follows them.
fn number(text: &str) -> Option<(u32, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// What a comment continues with on its next line: `\n    //! more` read as ` more`.
fn joined(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            let t = line.trim_start();
            let t = ["//!", "///", "//"]
                .iter()
                .find_map(|p| t.strip_prefix(p))
                .unwrap_or(t);
            out.push(' ');
            out.push_str(t.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn every_rules_citation_in_the_code_names_a_section_of_the_rules() {
    let sections = rules_sections();
    let numbers: Vec<u32> = sections.keys().copied().collect();
    assert_eq!(
        numbers,
        (1..=numbers.len() as u32).collect::<Vec<_>>(),
        "docs/rules.md numbers its sections 1, 2, 3, …"
    );
    let mut files = rust_files(&Path::new(ROOT).join("src"));
    files.extend(rust_files(&Path::new(ROOT).join("tests")));
    let mut cited = 0;
    for file in files {
        let path = file
            .strip_prefix(ROOT)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for bad in CONTRACT_REFERENCES {
            assert!(
                !text.contains(bad),
                "{path} cites the contract ({bad:?}): cite the section of docs/rules.md instead"
            );
        }
        // `docs/rules.md §4`, `§3, §4, §8`, `§1–§7`, `§4 step 5`, `§9, step 1`, `§4 steps 1–5`,
        // `§4 "When results reach the sheet"`.
        for (at, _) in text.match_indices(CITATION) {
            let mut rest = &text[at + CITATION.len()..];
            let mut cites = Vec::new();
            loop {
                let (n, after) = number(rest).unwrap_or_else(|| {
                    panic!("{path}: a citation of docs/rules.md without a number")
                });
                cites.push(n);
                rest = after;
                match ["–§", ", §", " and §"]
                    .iter()
                    .find_map(|sep| rest.strip_prefix(sep))
                {
                    Some(next) => rest = next,
                    None => break,
                }
            }
            for n in &cites {
                assert!(
                    sections.contains_key(n),
                    "{path} cites §{n} of docs/rules.md, which has no such section"
                );
                cited += 1;
            }
            let last = &sections[cites.last().unwrap()];
            let rest = joined(&rest[..rest.char_indices().nth(200).map_or(rest.len(), |(i, _)| i)]);
            let rest = rest.strip_prefix(',').unwrap_or(&rest);
            if let Some(steps) = rest
                .strip_prefix(" steps ")
                .or_else(|| rest.strip_prefix(" step "))
            {
                let (first, after) = number(steps).unwrap();
                let mut wanted = vec![first];
                if let Some((end, _)) = after.strip_prefix('–').and_then(number) {
                    wanted.push(end);
                }
                for step in wanted {
                    assert!(
                        last.lines().any(|l| l.starts_with(&format!("{step}. "))),
                        "{path} cites step {step} of §{} of docs/rules.md, which has no such step",
                        cites.last().unwrap()
                    );
                }
            } else if let Some(quoted) = rest.strip_prefix(" \"") {
                let title = &quoted[..quoted.find('"').unwrap()];
                assert!(
                    last.contains(&format!("\n### {title}\n")),
                    "{path} cites \"{title}\" of §{} of docs/rules.md, which has no such heading",
                    cites.last().unwrap()
                );
            }
        }
    }
    assert!(cited > 50, "the code cites the rules {cited} times");
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor of a Markdown text; a repeated heading gets `-1`, `-2`, … as on GitHub.
fn anchors(text: &str) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    let mut all = std::collections::BTreeSet::new();
    for (_, title, _) in headings(text) {
        let base = anchor(title);
        let n = seen.entry(base.clone()).or_default();
        all.insert(if *n == 0 { base } else { format!("{base}-{n}") });
        *n += 1;
    }
    all
}

/// The targets of the inline links `[text](target)` of a Markdown text, outside code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Code spans hold examples, not links.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        for (at, _) in prose.match_indices("](") {
            let rest = &prose[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

#[test]
fn every_relative_link_in_the_documents_resolves() {
    let mut checked = 0;
    for (path, text) in documents()
        .into_iter()
        .chain([("CHANGELOG.md".to_string(), read("CHANGELOG.md"))])
    {
        let dir = Path::new(&path).parent().unwrap();
        for target in links(&text) {
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
                || target.starts_with('<')
            {
                continue;
            }
            let (file, fragment) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() {
                PathBuf::from(&path)
            } else {
                dir.join(file)
            };
            let full = Path::new(ROOT).join(&resolved);
            assert!(
                full.exists(),
                "{path} links to {target}, but {} does not exist",
                resolved.display()
            );
            if let Some(fragment) = fragment {
                let fragment = percent_encoding::percent_decode_str(fragment)
                    .decode_utf8()
                    .unwrap();
                let target_text = std::fs::read_to_string(&full).unwrap();
                assert!(
                    anchors(&target_text).contains(fragment.as_ref()),
                    "{path} links to {target}, but {} has no heading with that anchor",
                    resolved.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} links checked");
}

#[test]
fn only_the_readme_names_days_of_the_demo() {
    // src/app/demo/tests.rs runs every `demo --today YYYY-MM-DD` the README names: a day
    // named anywhere else would not be checked.
    for (path, text) in documents() {
        if path != "README.md" {
            assert!(
                !text.contains("demo --today 2"),
                "{path} names a day of the demo; name it in README.md, whose days are tested"
            );
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
    let docs: String = documents()
        .into_iter()
        .map(|(_, text)| text + "\n")
        .collect();
    // Each phrase once said something the code does not do; the reason follows it.
    for (stale, truth) in [
        (
            "未実装",
            "Socket Mode is implemented (tests/it/socket_mode.rs)",
        ),
        (
            "not implemented yet",
            "Socket Mode is implemented (tests/it/socket_mode.rs)",
        ),
        ("テスト DM", "check posts nothing (tests/it/deploy.rs)"),
        ("test DM", "check posts nothing (tests/it/deploy.rs)"),
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
    assert!(Path::new(ROOT).join("tests/it/socket_mode.rs").exists());
    // The one TLS provider: aws-lc-rs is in no part of the lock file.
    assert!(!read("Cargo.lock").contains("name = \"aws-lc-rs\""));
}
