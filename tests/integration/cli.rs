//! The command line itself: help, the rules catalogue, inference, bad
//! arguments.

use crate::util::*;

#[test]
fn help_has_examples() {
    let assert = vaglio().args(["check", "--help"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.contains("Examples:"), "{out}");
    assert!(out.contains("Exit codes"), "{out}");
}

#[test]
fn rules_catalogue_and_docs() {
    let assert = vaglio().arg("rules").assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for code in ["VG001", "VG101", "VG203", "VG301"] {
        assert!(out.contains(code), "{code}: {out}");
    }
    let assert = vaglio().args(["rules", "VG105"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.starts_with("# VG105 pattern"), "{out}");
    let assert = vaglio().args(["rules", "patern"]).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("did you mean pattern?"), "{err}");
}

#[test]
fn bad_arguments_exit_2() {
    vaglio().args(["check"]).assert().code(2);
    vaglio().args(["check", "x.csv"]).assert().code(2);
    vaglio()
        .args([
            "check",
            "--rules",
            "fixtures/check/people.toml",
            "--today",
            "tomorrow",
            "x.csv",
        ])
        .assert()
        .code(2);
    vaglio().args(["frobnicate"]).assert().code(2);
}

#[test]
fn infer_drafts_a_rule_file_that_loads_and_passes() {
    let out = scratch();
    let assert = vaglio()
        .args(["check", "--infer"])
        .arg(fixtures().join("check/kinds/interventi.csv"))
        .assert()
        .code(0);
    let draft = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(draft.contains("[fields.CAP]"), "{draft}");
    assert!(draft.contains("delimiter = \",\""), "{draft}");
    assert!(draft.contains("enum = [\"KO\", \"OK\"]"), "{draft}");
    let rules = out.path().join("draft.toml");
    std::fs::write(&rules, &draft).unwrap_or_else(|e| panic!("{e}"));
    check_cmd(
        &rules,
        &fixtures().join("check/kinds/interventi.csv"),
        out.path(),
    )
    .assert()
    .code(0);
}

#[test]
fn infer_recognises_codici_fiscali() {
    let dir = scratch();
    let mut csv = String::from("ID,CF\n");
    let valid = [
        "RSSMRA80A01H501U",
        "RSSMRA80C01H501Y",
        "RSSMRA80A03H501B",
        "RSSMRA15A01A944U",
        "BNCLRA16B41A944D",
        "RCCPLA13E20A944F",
        "FRRGNN14C10A944S",
        "RSSMRA80A01H501U",
        "RSSMRA80C01H501Y",
        "RSSMRA80A03H501B",
    ];
    for (i, cf) in valid.iter().enumerate() {
        csv.push_str(&format!("{i},{cf}\n"));
    }
    csv.push_str("99,RSSMRA80A01H501X\n");
    std::fs::write(dir.path().join("x.csv"), csv).unwrap_or_else(|e| panic!("{e}"));
    let assert = vaglio()
        .arg("check")
        .arg("--infer")
        .arg(dir.path().join("x.csv"))
        .assert()
        .code(0);
    let draft = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        draft.contains("[fields.CF]\ntype = \"codice_fiscale\""),
        "{draft}"
    );
}

#[test]
fn eval_without_labels_estimates_error_rates() {
    let dir = scratch();
    let links = dir.path().join("links.csv");
    std::fs::write(
        &links,
        "source,row,key,person,status,tier,weight,probability,note\n\
         s,1,a,P1,match,codice_fiscale,30.0,1.000000,\n\
         s,2,b,P2,match,probabilistic,9.0,0.900000,\n\
         s,3,c,P3,review,probabilistic,1.0,0.600000,\n\
         s,4,d,,unmatched,probabilistic,,,\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let assert = vaglio()
        .args(["eval", "--links"])
        .arg(&links)
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        out.contains("s: 2 linked, 2 not · expected false matches 0.1 (5.00%) · expected missed matches 0.6 (24.00%)"),
        "{out}"
    );
}

#[test]
fn completions_and_man_pages_come_from_the_command_line_itself() {
    for (shell, marker) in [
        ("bash", "_vaglio()"),
        ("zsh", "#compdef vaglio"),
        ("fish", "complete -c vaglio"),
    ] {
        let out = vaglio()
            .args(["completions", shell])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["check", "run", "link", "demo", "completions"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        assert!(script.contains("show-pii"), "{shell} lacks the options");
    }
    let out = vaglio()
        .args(["completions", "tcsh"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));

    let out = vaglio()
        .arg("man")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH vaglio 1"), "{page}");
    assert!(page.contains("completions"), "{page}");
    let dir = scratch();
    vaglio()
        .args(["man", "--out"])
        .arg(dir.path())
        .assert()
        .code(0);
    for name in [
        "vaglio",
        "vaglio-check",
        "vaglio-run",
        "vaglio-link",
        "vaglio-man",
    ] {
        let text = std::fs::read_to_string(dir.path().join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains(&format!(".TH {name} 1")), "{name}: {text}");
    }
    let check = std::fs::read_to_string(dir.path().join("vaglio-check.1"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(check.contains("rules"), "{check}");
}

#[test]
fn open_shows_the_report_in_the_browser_and_a_failure_is_only_a_warning() {
    let dir = scratch();
    let opened = dir.path().join("opened.txt");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = dir.path().join("out");
    let run = |browser: &std::path::Path| {
        vaglio()
            .env("BROWSER", browser)
            .args([
                "check",
                "--quiet",
                "--open",
                "--today",
                "2026-11-28",
                "--rules",
            ])
            .arg(root().join("rules/refezione.toml"))
            .arg("--out")
            .arg(&out)
            .arg(fixtures().join("check/refezione.csv"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let first = run(&browser);
    assert_eq!(first.status.code(), Some(1), "{first:?}");
    let shown = std::fs::read_to_string(&opened).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.trim(), out.join("index.html").display().to_string());
    // No browser: the check's own exit code, and a warning.
    let second = run(&dir.path().join("no-such-browser"));
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("warning: cannot open"), "{stderr}");
}

/// `vaglio check` of the refezione fixture on a terminal (through `script`,
/// which gives it one), with `env` set.
fn on_a_terminal(env: &[(&str, &str)], extra: &str) -> Option<String> {
    let dir = scratch();
    let command = format!(
        "{} check --today 2026-11-28 --rules {} --out {} {} {extra}",
        assert_cmd::cargo::cargo_bin("vaglio").display(),
        root().join("rules/refezione.toml").display(),
        dir.path().join("out").display(),
        fixtures().join("check/refezione.csv").display(),
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_summary_leads_with_the_verdict_in_colour_on_a_terminal_only() {
    // Piped: no colour, the verdict first, passing checks counted not listed.
    let dir = scratch();
    let out = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        &dir.path().join("out"),
    )
    .env_remove("NO_COLOR")
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    let second = text.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("  FAILED: 9 checks over tolerance · 2 warnings · 24 passed"),
        "{text}"
    );
    assert!(!text.contains("\n  ok "), "{text}");
    assert!(text.contains("(24 checks passed and not listed: --verbose lists every check)"));
    let verbose = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        &dir.path().join("out"),
    )
    .arg("--verbose")
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    let verbose = String::from_utf8_lossy(&verbose.stdout);
    assert_eq!(verbose.matches("\n  ok ").count(), 24, "{verbose}");
    // A value the message quotes is not repeated as a sample.
    assert!(text.contains("(value: \"F\")\n"), "{text}");

    // On a terminal: coloured, unless NO_COLOR.
    let Some(tty) = on_a_terminal(&[], "") else {
        return; // no `script` here
    };
    assert!(tty.contains("\u{1b}[1;31mFAILED\u{1b}[0m"), "{tty:?}");
    assert!(tty.contains("\u{1b}[33mwarn"), "{tty:?}");
    let plain = on_a_terminal(&[("NO_COLOR", "1")], "").unwrap_or_default();
    assert!(
        plain.contains("FAILED") && !plain.contains('\u{1b}'),
        "{plain:?}"
    );
}

#[test]
fn demo_help_lists_every_file_the_demo_writes() {
    let out = vaglio()
        .args(["demo", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    for file in [
        "DIR/vaglio.toml",
        "DIR/master/",
        "datamart.sqlite",
        "DIR/review/queue.csv",
        "DIR/reports/index.html",
        "DIR/truth/",
    ] {
        assert!(text.contains(file), "{file}: {text}");
    }
}
