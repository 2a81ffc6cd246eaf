use super::*;
use crate::messages::Sentence;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn reference() -> NaiveDate {
    d(2026, 11, 28)
}

fn dec(s: &str) -> Result<Decoded, CfError> {
    decode(s.as_bytes(), reference())
}

struct Vector {
    cognome: String,
    nome: String,
    sesso: Sex,
    data: NaiveDate,
    luogo: String,
    belfiore: String,
    cf: String,
    omo1: String,
    omo7: String,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/identity/cf_test_vectors_synthetic.csv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 9, "{line}");
        out.push(Vector {
            cognome: f[0].to_owned(),
            nome: f[1].to_owned(),
            sesso: Sex::parse(f[2]).unwrap_or(Sex::Male),
            data: NaiveDate::parse_from_str(f[3], "%Y-%m-%d").unwrap_or_default(),
            luogo: f[4].to_owned(),
            belfiore: f[5].to_owned(),
            cf: f[6].to_owned(),
            omo1: f[7].to_owned(),
            omo7: f[8].to_owned(),
        });
    }
    out
}

#[test]
fn synthetic_vectors() {
    let vs = vectors();
    assert_eq!(vs.len(), 13);
    for v in &vs {
        let who = format!("{} {}", v.cognome, v.nome);
        assert_eq!(
            encode(&v.cognome, &v.nome, v.data, v.sesso, &v.belfiore).as_deref(),
            Ok(v.cf.as_str()),
            "encode {who}"
        );
        let x = dec(&v.cf).unwrap_or_else(|e| panic!("{who}: {e}"));
        assert_eq!(x.birth_date, v.data, "{who}");
        assert_eq!(x.sex, v.sesso, "{who}");
        assert_eq!(x.place.as_str(), v.belfiore, "{who}");
        assert_eq!(x.omocode_level(), 0);
        assert_eq!(x.base, x.code);
        assert_eq!(x.place_validity(), Validity::Valid, "{who}");
        for (omo, level) in [(&v.omo1, 1), (&v.omo7, 7)] {
            assert_eq!(
                omocode_of_level(&v.cf, level).as_deref(),
                Ok(omo.as_str()),
                "{who}"
            );
            let o = dec(omo).unwrap_or_else(|e| panic!("{who} {omo}: {e}"));
            assert_eq!(o.base.as_str(), v.cf, "{who}");
            assert_eq!(o.omocode_level(), level, "{who}");
            assert!(o.is_standard_omocode());
            assert_eq!(
                (o.birth_date, o.sex, o.place),
                (x.birth_date, x.sex, x.place)
            );
            assert_eq!(base_form(omo).as_deref(), Ok(v.cf.as_str()));
            assert!(cf_equivalent(omo, &v.cf));
        }
        for cf in [&v.cf, &v.omo1, &v.omo7] {
            let c = cf_consistent(
                cf,
                &v.cognome,
                &v.nome,
                Some(v.data),
                Some(v.sesso),
                Some(&v.luogo),
            );
            assert!(c.is_consistent(), "{who} {cf}: {:?}", c.findings);
            assert_eq!(c.place, PartCheck::Agrees, "{who}: {}", v.luogo);
        }
        let variants = omocode_variants(&v.cf).unwrap_or_default();
        assert_eq!(variants.len(), 128);
        assert!(variants.contains(&v.omo1) && variants.contains(&v.omo7));
    }
}

#[test]
fn error_messages() {
    let m = |s: &str| dec(s).err().map(|e| e.message()).unwrap_or_default();
    assert_eq!(
        m("RSSMRA80A01H501"),
        "wrong length: 15 characters, expected 16 (or 11 digits for a provisional code)"
    );
    assert_eq!(
        m("RSSMRA80F01H501U"),
        "character 9 should be a month letter (A B C D E H L M P R S T), found 'F'"
    );
    assert_eq!(
        m("RSSMRA80A01H501X"),
        "check character should be U, found X"
    );
    assert_eq!(
        m("RSSMRA8OA01H501U"),
        "'O' (letter) in a digit position (character 8): did you mean 0?"
    );
    assert_eq!(
        m("RSSMR080A01H501U"),
        "'0' (digit) in a letter position (character 6): did you mean O?"
    );
    assert_eq!(
        m("RSSMRA80A35H501U"),
        "characters 10-11 should be the day of birth, 01-31 (41-71 for women), found 35"
    );
    assert_eq!(m(""), "the codice fiscale is empty");
    assert_eq!(
        m("12345678903"),
        "an 11-digit provisional code, not a 16-character personal code"
    );
    assert!(m("RSSMRA80A01H50éU").contains("neither a letter"));
    // 31 February: a code with a correct check character.
    let feb31 = format!(
        "RSSMRA80B31H501{}",
        check_char(b"RSSMRA80B31H501").unwrap_or('?')
    );
    assert_eq!(dec(&feb31), Err(CfError::InvalidDate { day: 31, month: 2 }));
    assert_eq!(
        m(&feb31),
        "the birth date does not exist: February has no day 31"
    );
}

#[test]
fn normalisation_and_lowercase() {
    assert_eq!(normalize(" rss mra80a01h501u\t"), "RSSMRA80A01H501U");
    let x = dec("  rssmra 80a01 h501u ").expect("valid");
    assert_eq!(x.code.as_str(), "RSSMRA80A01H501U");
    // Non-breaking spaces (from spreadsheets) go through the slow path.
    assert!(dec("RSSMRA80A01H501U\u{a0}").is_ok());
    assert_eq!(
        validate(b"RSSMRA80A01H501U").map(|c| c.to_string()),
        Ok("RSSMRA80A01H501U".to_owned())
    );
}

#[test]
fn century_inference() {
    let code = |yy: u32, m: u8, day: u32| {
        let first = format!("RSSMRA{yy:02}{}{day:02}H501", char::from(m));
        let c = check_char(first.as_bytes()).unwrap_or('?');
        format!("{first}{c}")
    };
    assert_eq!(
        dec(&code(24, b'A', 1)).map(|x| x.birth_date),
        Ok(d(2024, 1, 1))
    );
    assert_eq!(
        dec(&code(30, b'A', 1)).map(|x| x.birth_date),
        Ok(d(1930, 1, 1))
    );
    assert_eq!(
        dec(&code(26, b'S', 28)).map(|x| x.birth_date),
        Ok(d(2026, 11, 28))
    );
    // One day after the reference date: a century earlier.
    assert_eq!(
        dec(&code(26, b'S', 29)).map(|x| x.birth_date),
        Ok(d(1926, 11, 29))
    );
    assert_eq!(
        dec(&code(0, b'B', 29)).map(|x| x.birth_date),
        Ok(d(2000, 2, 29))
    );
    assert!(dec(&code(1, b'B', 29)).is_err());
    // Women: day + 40.
    let x = dec(&code(90, b'S', 61)).expect("valid");
    assert_eq!((x.birth_date, x.sex), (d(1990, 11, 21), Sex::Female));
}

#[test]
fn classification() {
    let r = reference();
    assert!(matches!(
        classify("RSSMRA80A01H501U", r),
        CfClass::Personal(_)
    ));
    assert_eq!(classify("12345678903", r), CfClass::Provisional);
    assert_eq!(classify("01234567897", r), CfClass::Provisional);
    assert_eq!(
        classify("12345678904", r),
        CfClass::Malformed(CfError::WrongCheckDigit {
            expected: '3',
            found: '4'
        })
    );
    for p in [
        "XXXXXXXXXXXXXXXX",
        "9999999999999999",
        "0000000000000000",
        "00000000000",
        "99999999999",
        "XXXXXX00X00X000X",
        "AAAAAA11A11A111A",
        "ABCDEFGHIJKLMNOP",
        "1234567890123456",
        "12345678901",
        "non disponibile",
        "N.D.",
        "ND",
        "xxx",
        "0",
        "XXXXXXXXXXXXXXX1",
    ] {
        assert_eq!(classify(p, r), CfClass::Placeholder, "{p}");
    }
    assert_eq!(classify("", r), CfClass::Malformed(CfError::Empty));
    assert_eq!(
        classify("RSSMRA", r),
        CfClass::Malformed(CfError::WrongLength { len: 6 })
    );
    // Real codes are never placeholders.
    for v in vectors() {
        for c in [&v.cf, &v.omo1, &v.omo7] {
            assert!(!is_placeholder(c), "{c}");
        }
    }
}

#[test]
fn masking() {
    assert_eq!(mask_cf("RSSMRA80A01H501U"), "RSS*************");
    assert_eq!(mask_cf(" rssmra80a01h501u "), "RSS*************");
    assert_eq!(mask_cf("12345678903"), "123********");
    assert_eq!(mask_cf("ABC"), "***");
    assert_eq!(mask_cf(""), "");
}

#[test]
fn name_codes() {
    let cases = [
        ("Rossi", "RSS"),
        ("Li", "LIX"),
        ("Bo", "BOX"),
        ("D'Amico", "DMC"),
        ("De Luca", "DLC"),
        ("Hoxha", "HXH"),
        ("Nicolò", "NCL"),
        ("", "XXX"),
    ];
    for (s, c) in cases {
        assert_eq!(surname_code(s), c, "{s}");
    }
    let cases = [
        ("Gianfranco", "GFR"),
        ("Mohammed", "MMM"),
        ("Mohamed", "MMD"),
        ("Muhammad", "MMM"),
        ("Fatima", "FTM"),
        ("Fatimah", "FMH"),
        ("Mario", "MRA"),
        ("Ugo", "GUO"),
        ("Wei", "WEI"),
        ("Ali", "LAI"),
        ("Maria Grazia", "MGR"),
        ("Jo", "JOX"),
    ];
    for (s, c) in cases {
        assert_eq!(name_code(s), c, "{s}");
    }
    assert_eq!(surname_code("El Idrissi"), "LDR");
    assert_eq!(surname_code("Idrissi"), "DRS");
}

#[test]
fn consistency_situations() {
    let cf = "RSSMRA85D03H501"; // Mario Rossi, 1985-04-03, Roma
    let cf = format!("{cf}{}", check_char(cf.as_bytes()).unwrap_or('?'));
    let ok = cf_consistent(
        &cf,
        "Rossi",
        "Mario",
        Some(d(1985, 4, 3)),
        Some(Sex::Male),
        Some("H501"),
    );
    assert!(ok.is_consistent(), "{:?}", ok.findings);
    let ok = cf_consistent(
        &cf,
        "ROSSI",
        "MARIO",
        Some(d(1985, 4, 3)),
        None,
        Some("roma"),
    );
    assert!(ok.is_consistent(), "{:?}", ok.findings);
    assert_eq!(ok.sex, PartCheck::NotChecked);

    // Day and month swapped.
    let c = cf_consistent(&cf, "Rossi", "Mario", Some(d(1985, 3, 4)), None, None);
    assert_eq!(c.birth_date, PartCheck::Disagrees);
    let f = &c.findings[0];
    assert_eq!(
        f.message_with_values(),
        "CF says born 1985-04-03, record says 1985-03-04: day and month swapped?"
    );
    assert_eq!(
        f.message(),
        "birth date in CF differs from the record: day and month look swapped"
    );

    // A parent's CF: the year is 30 years off.
    let c = cf_consistent(&cf, "Rossi", "Mario", Some(d(2015, 4, 3)), None, None);
    assert!(matches!(
        c.findings[0],
        Finding::BirthDate {
            diff: DateDiff::Year { years: 30 },
            ..
        }
    ));
    assert!(c.findings[0].message().contains("parent"));

    // Surname and name swapped.
    let c = cf_consistent(&cf, "Mario", "Rossi", None, None, None);
    assert_eq!(c.findings, vec![Finding::SurnameNameSwapped]);
    assert!(!c.is_consistent());

    // Sex.
    let c = cf_consistent(&cf, "Rossi", "Mario", None, Some(Sex::Female), None);
    assert_eq!(c.sex, PartCheck::Disagrees);
    assert_eq!(
        c.findings[0].message_with_values(),
        "CF says sex M, record says F"
    );

    // Place by code and by name.
    let c = cf_consistent(&cf, "Rossi", "Mario", None, None, Some("A944"));
    assert_eq!(c.place, PartCheck::Disagrees);
    assert_eq!(
        c.findings[0].message_with_values(),
        "CF place of birth is H501 (Roma), record says A944"
    );
    let c = cf_consistent(&cf, "Rossi", "Mario", None, None, Some("Bologna"));
    assert_eq!(c.place, PartCheck::Disagrees);

    // Plain surname / name mismatch.
    let c = cf_consistent(&cf, "Bianchi", "Mario", None, None, None);
    assert_eq!(c.surname, PartCheck::Disagrees);
    assert_eq!(c.name, PartCheck::Agrees);
    assert_eq!(
        c.findings,
        vec![Finding::SurnameCode {
            in_cf: "RSS".into(),
            from_record: "BNC".into()
        }]
    );

    // Invalid CF.
    let c = cf_consistent("RSSMRA85D03H501X", "Rossi", "Mario", None, None, None);
    assert!(matches!(
        c.findings[0],
        Finding::InvalidCf(CfError::WrongCheckCharacter { .. })
    ));
    assert!(!c.is_plausible());
}

#[test]
fn consistency_transliteration_and_omocode() {
    // CF computed from "Mohammed", record says "Mohamed".
    let cf = "HSSMMM85B03Z249T";
    let c = cf_consistent(
        cf,
        "Hossain",
        "Mohamed",
        Some(d(1985, 2, 3)),
        Some(Sex::Male),
        Some("Z249"),
    );
    assert_eq!(c.name, PartCheck::AgreesWithVariant);
    assert!(!c.is_consistent());
    assert!(c.is_plausible());
    assert!(matches!(
        c.findings[0],
        Finding::NameVariant {
            variant: "MOHAMMED",
            ..
        }
    ));
    assert_eq!(
        c.findings[0].message(),
        "name code in CF matches another spelling (transliteration) of the first name"
    );
    // Surname spelling: Husain (HSN) in the record, Hossain (HSS) in the CF.
    let c = cf_consistent(cf, "Husain", "Mohammed", None, None, None);
    assert_eq!(c.surname, PartCheck::AgreesWithVariant);
    // "Md" is registered as Mohammad.
    let c = cf_consistent(cf, "Hossain", "Md", None, None, None);
    assert_eq!(c.name, PartCheck::AgreesWithVariant);
    // An omocode of the same CF is consistent.
    let omo = omocode_of_level(cf, 3).unwrap_or_default();
    let c = cf_consistent(
        &omo,
        "Hossain",
        "Mohammed",
        Some(d(1985, 2, 3)),
        Some(Sex::Male),
        Some("Bangladesh"),
    );
    assert!(c.is_consistent(), "{:?}", c.findings);
}

#[test]
fn place_not_valid_at_birth() {
    // Born in Bazzano (A726) in 2015: the code had been replaced by M320.
    let first = "RSSMRA15C01A726";
    let cf = format!("{first}{}", check_char(first.as_bytes()).unwrap_or('?'));
    let c = cf_consistent(&cf, "Rossi", "Mario", Some(d(2015, 3, 1)), None, None);
    assert_eq!(c.place, PartCheck::Disagrees);
    let f = c.findings.last().cloned().expect("a finding");
    assert!(matches!(
        f,
        Finding::PlaceNotValidAtBirth {
            validity: Validity::Expired {
                successor: Some("M320"),
                ..
            },
            ..
        }
    ));
    assert!(f.message_with_values().contains("M320 (Valsamoggia)"));
    assert!(!f.message().contains("A726"));
    // Alone, the code is read in the century its place was in use: 1915.
    let x = dec(&cf).expect("valid");
    assert_eq!(x.birth_date, d(1915, 3, 1));
    assert!(x.place_validity().is_valid());
    // The same code for a birth in 2010 is fine.
    let first = "RSSMRA10C01A726";
    let cf = format!("{first}{}", check_char(first.as_bytes()).unwrap_or('?'));
    assert!(cf_consistent(
        &cf,
        "Rossi",
        "Mario",
        Some(d(2010, 3, 1)),
        None,
        Some("Bazzano")
    )
    .is_consistent());
    // Yugoslavia, born 1980: valid; born 2005: not.
    let first = "RSSMRA80C01Z118";
    let cf = format!("{first}{}", check_char(first.as_bytes()).unwrap_or('?'));
    assert!(cf_consistent(
        &cf,
        "Rossi",
        "Mario",
        Some(d(1980, 3, 1)),
        None,
        Some("Jugoslavia")
    )
    .is_consistent());
}

#[test]
fn messages_without_values_have_no_personal_data() {
    let cf = "HSSMMM85B03Z249T";
    let c = cf_consistent(
        cf,
        "Rossi",
        "Giovanni",
        Some(d(1986, 3, 2)),
        Some(Sex::Female),
        Some("A944"),
    );
    assert!(c.findings.len() >= 4);
    for f in &c.findings {
        let m = f.message();
        for pii in [
            "HSS",
            "MMM",
            "RSS",
            "GVN",
            "Rossi",
            "Giovanni",
            "1985",
            "1986",
            "Z249",
            "A944",
            "Bangladesh",
            "Bologna",
        ] {
            assert!(!m.contains(pii), "{m:?} contains {pii}");
        }
    }
}

/// The check character cannot see a digit `d` replaced by the letter `A + d`
/// (or the reverse) in positions 1–15; everything else changes it.
fn check_cannot_detect(orig: u8, new: u8) -> bool {
    let pair = |a: u8, b: u8| a.is_ascii_digit() && b.is_ascii_uppercase() && b - b'A' == a - b'0';
    pair(orig, new) || pair(new, orig)
}

fn assert_single_substitutions(code: &str) {
    let b: [u8; 16] = code.as_bytes().try_into().unwrap_or([b'?'; 16]);
    for pos in 0..16 {
        for c in (b'A'..=b'Z').chain(b'0'..=b'9') {
            if c == b[pos] {
                continue;
            }
            let mut m = b;
            m[pos] = c;
            if pos < 15 {
                let still = check_char(&m[..15]) == Some(char::from(b[15]));
                assert_eq!(
                    still,
                    check_cannot_detect(b[pos], c),
                    "{code} pos {pos} -> {}",
                    char::from(c)
                );
            }
            // Structure + check character catch every single substitution.
            assert!(
                validate(&m).is_err(),
                "{code} pos {pos} -> {} accepted",
                char::from(c)
            );
        }
    }
}

#[test]
fn single_substitutions_on_vectors() {
    for v in vectors() {
        for c in [&v.cf, &v.omo1, &v.omo7] {
            assert_single_substitutions(c);
        }
    }
}

fn arb_person() -> impl Strategy<Value = (String, String, NaiveDate, Sex, &'static str)> {
    let places = prop::sample::select(vec!["A944", "H501", "Z249", "Z129", "M320", "F205", "Z330"]);
    (
        "[A-Za-zÀÈÉÌÒÙàèéìòù' -]{0,20}",
        "[A-Za-zÀÈÉÌÒÙàèéìòù' -]{0,20}",
        0u64..36_524,
        prop::bool::ANY,
        places,
    )
        .prop_map(|(s, n, days, female, place)| {
            let date = d(1926, 11, 29)
                .checked_add_days(chrono::Days::new(days))
                .unwrap_or_default();
            let sex = if female { Sex::Female } else { Sex::Male };
            (s, n, date, sex, place)
        })
}

proptest! {
    #[test]
    fn a_clean_code_classifies_as_its_spaced_lowercase_form(
        (s, n, date, sex, place) in arb_person(),
        broken in 0usize..17,
    ) {
        let reference = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let mut cf = encode(&s, &n, date, sex, place).expect("valid place");
        if broken < 16 {
            // Any one character changed: still 16 clean bytes, maybe invalid.
            let b = cf.as_bytes()[broken];
            let other = if b == b'9' { '0' } else if b.is_ascii_digit() { '9' } else { 'Z' };
            cf.replace_range(broken..=broken, &other.to_string());
        }
        let spaced = format!(" {} ", cf.to_lowercase());
        prop_assert_eq!(classify(&cf, reference), classify(&spaced, reference));
    }

    #[test]
    fn encode_decode_round_trip((s, n, date, sex, place) in arb_person()) {
        let cf = encode(&s, &n, date, sex, place).expect("valid place");
        let x = dec(&cf).expect("encoded codes decode");
        prop_assert_eq!(x.birth_date, date);
        prop_assert_eq!(x.sex, sex);
        prop_assert_eq!(x.place.as_str(), place);
        prop_assert_eq!(x.surname_code(), surname_code(&s));
        prop_assert_eq!(x.name_code(), name_code(&n));
        let c = cf_consistent(&cf, &s, &n, Some(date), Some(sex), Some(place));
        prop_assert_eq!(c.birth_date, PartCheck::Agrees);
        prop_assert_eq!(c.sex, PartCheck::Agrees);
        let code_mismatch = c
            .findings
            .iter()
            .any(|f| matches!(f, Finding::SurnameCode { .. } | Finding::NameCode { .. }));
        prop_assert!(!code_mismatch, "{:?}", c.findings);
    }

    #[test]
    fn every_omocode_maps_to_its_base((s, n, date, sex, place) in arb_person(), mask in 0u8..128) {
        let cf = encode(&s, &n, date, sex, place).expect("valid place");
        let variants = omocode_variants(&cf).expect("valid");
        prop_assert_eq!(variants.len(), 128);
        prop_assert_eq!(&variants[0], &cf);
        let v = &variants[usize::from(mask)];
        let x = dec(v).expect("omocodes decode");
        prop_assert_eq!(x.base.as_str(), cf.as_str());
        prop_assert_eq!(x.omocode_mask, mask);
        prop_assert_eq!(x.omocode_level(), mask.count_ones());
        prop_assert_eq!((x.birth_date, x.sex, x.place.as_str()), (date, sex, place));
        prop_assert_eq!(base_form(v).expect("valid"), cf.clone());
        prop_assert!(cf_equivalent(v, &cf));
    }

    #[test]
    fn single_changed_character((s, n, date, sex, place) in arb_person(), mask in 0u8..128, pos in 0usize..16, c in prop::sample::select((b'A'..=b'Z').chain(b'0'..=b'9').collect::<Vec<u8>>())) {
        let cf = encode(&s, &n, date, sex, place).expect("valid place");
        let v = omocode_variants(&cf).expect("valid").swap_remove(usize::from(mask));
        let mut m: [u8; 16] = v.as_bytes().try_into().expect("16 bytes");
        if m[pos] == c { return Ok(()); }
        let orig = m[pos];
        m[pos] = c;
        if pos < 15 {
            let still = check_char(&m[..15]) == Some(char::from(m[15]));
            prop_assert_eq!(still, check_cannot_detect(orig, c));
        }
        prop_assert!(validate(&m).is_err());
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let _ = decode(&bytes, reference());
        let s = String::from_utf8_lossy(&bytes);
        let _ = classify(&s, reference());
        let _ = mask_cf(&s);
        let _ = base_form(&s);
        let _ = cf_consistent(&s, &s, &s, Some(reference()), Some(Sex::Male), Some(&s));
    }

    #[test]
    fn decode_never_panics_on_cf_shaped_text(s in "[A-Z0-9a-z ]{14,18}") {
        if let Ok(x) = decode(s.as_bytes(), reference()) {
            prop_assert!(x.birth_date <= reference());
            prop_assert!(validate(x.base.as_bytes()).is_ok());
        }
    }
}

/// A code from its first 15 characters, with its check character.
fn with_check(first15: &str) -> String {
    let c = check_char(first15.as_bytes()).unwrap_or('?');
    format!("{first15}{c}")
}

#[test]
fn the_place_decides_the_century_then_the_reference_date() {
    // (code, birth date, why)
    let cases = [
        // Gallico (D877), a municipality 1861-1927.
        (
            "MCHFDA07A01D877A".to_owned(),
            d(1907, 1, 1),
            "Gallico: 1907, not 2007",
        ),
        // Rome exists in both centuries: the latest not after the reference.
        (with_check("RSSMRA15A01H501"), d(2015, 1, 1), "Rome: 2015"),
        (
            with_check("RSSMRA26T01H501"),
            d(1926, 12, 1),
            "after the reference: 1926",
        ),
        // Bargano (A659), 1861-1878: two centuries back.
        (
            with_check("RSSMRA70A01A659"),
            d(1870, 1, 1),
            "Bargano: 1870",
        ),
        // Nuxis (F991), from 1934: in use in none of 1930, 1830, 1730.
        (
            "CCCFBA30H66F991T".to_owned(),
            d(1930, 6, 26),
            "Nuxis: the latest",
        ),
        // An unknown place: the latest.
        (
            with_check("RSSMRA07A01D999"),
            d(2007, 1, 1),
            "unknown place: the latest",
        ),
        // Separators are dropped like spaces.
        (
            "CCC-FBA-85-D03-L219-P".to_owned(),
            d(1985, 4, 3),
            "separators",
        ),
    ];
    for (code, born, why) in cases {
        let x = dec(&code).unwrap_or_else(|e| panic!("{why}: {code}: {e}"));
        assert_eq!(x.birth_date, born, "{why}: {code}");
    }
    assert_eq!(normalize("ccc-fba.85 d03-l219-p"), "CCCFBA85D03L219P");
    // Nuxis: a valid code whose place was not in use on its birth date.
    let nuxis = dec("CCCFBA30H66F991T").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        nuxis.place_validity(),
        Validity::NotYetValid { .. }
    ));
}

#[test]
fn disagreements_are_said_in_both_languages() {
    let said = |f: Finding, values: bool| {
        let d = Disagreement::new(f, values);
        (In(&d, Lang::En).to_string(), In(&d, Lang::It).to_string())
    };
    let birth = Finding::BirthDate {
        in_cf: Some(d(1950, 1, 1)),
        record: d(1980, 1, 1),
        diff: DateDiff::Year { years: 30 },
    };
    assert_eq!(
        said(birth.clone(), false),
        (
            "birth date in CF differs from the record: the year differs by 30 years (another person's CF, e.g. a parent's?)".into(),
            "la data di nascita nel CF differisce dal record: l'anno differisce di 30 anni (il CF di un'altra persona, ad es. di un genitore?)".into()
        )
    );
    assert_eq!(
        said(birth, true),
        (
            "CF says born 1950-01-01, record says 1980-01-01: another person's CF?".into(),
            "nel CF la data di nascita è 1950-01-01, nel record 1980-01-01: il CF di un'altra persona?".into()
        )
    );
    let place = Finding::PlaceNotValidAtBirth {
        code: "Z999".into(),
        birth_date: d(1980, 1, 1),
        validity: Validity::Unknown,
    };
    assert_eq!(
        said(place.clone(), false),
        (
            "place of birth in CF: unknown place code of birth".into(),
            "il luogo di nascita nel CF: il codice del luogo è sconosciuto".into()
        )
    );
    assert_eq!(
        said(place, true),
        (
            "place code Z999 is unknown".into(),
            "il codice del luogo Z999 è sconosciuto".into()
        )
    );
    let invalid = Finding::InvalidCf(CfError::WrongLength { len: 14 });
    assert_eq!(
        said(invalid, false).1,
        "codice fiscale non valido: lunghezza errata: 14 caratteri, attesi 16 (o 11 cifre per un codice provvisorio)"
    );
    for d in Disagreement::examples() {
        let (en, it) = (In(&d, Lang::En).to_string(), In(&d, Lang::It).to_string());
        assert_ne!(en, it, "not translated");
    }
}

#[test]
fn errors_are_said_in_both_languages() {
    let it = |e: CfError| In(&e, Lang::It).to_string();
    assert_eq!(
        it(CfError::WrongLength { len: 1 }),
        "lunghezza errata: 1 carattere, attesi 16 (o 11 cifre per un codice provvisorio)"
    );
    assert_eq!(
        it(CfError::InvalidDate { day: 31, month: 2 }),
        "la data di nascita non esiste: febbraio non ha il giorno 31"
    );
    assert_eq!(
        In(&CfError::InvalidDate { day: 31, month: 2 }, Lang::En).to_string(),
        "the birth date does not exist: February has no day 31"
    );
    for e in CfError::examples() {
        assert_ne!(In(&e, Lang::En).to_string(), it(e), "not translated");
    }
}
