use super::*;

fn env(pairs: &[(&str, &str)]) -> Variables {
    pairs.iter().map(|&(k, v)| (k, v)).collect()
}

fn word(input: &str, vars: &[(&str, &str)]) -> Result<String, ExpandError> {
    Lexer::default().process_word(input, &env(vars))
}

fn ok(input: &str, vars: &[(&str, &str)]) -> String {
    match word(input, vars) {
        Ok(value) => value,
        Err(err) => panic!("{input:?}: {err}"),
    }
}

fn err(input: &str, vars: &[(&str, &str)]) -> ExpandErrorKind {
    match word(input, vars) {
        Ok(value) => panic!("{input:?} should fail, gave {value:?}"),
        Err(err) => err.kind,
    }
}

fn words(input: &str, vars: &[(&str, &str)]) -> Vec<String> {
    Lexer::default().process_words(input, &env(vars)).unwrap()
}

const SET: &[(&str, &str)] = &[("V", "value"), ("E", "")];

#[test]
fn plain_and_braced() {
    assert_eq!(ok("$V", SET), "value");
    assert_eq!(ok("${V}", SET), "value");
    assert_eq!(ok("a${V}b", SET), "avalueb");
    assert_eq!(ok("a$V.b", SET), "avalue.b");
    assert_eq!(ok("$U", SET), "");
    assert_eq!(ok("${U}x", SET), "x");
    assert_eq!(ok("$E", SET), "");
    // Names run over letters, digits and underscores, Unicode ones included.
    assert_eq!(ok("$V_1x", &[("V_1x", "n")]), "n");
    assert_eq!(ok("$한국", &[("한국", "k")]), "k");
}

#[test]
fn dollar_without_name_is_literal() {
    assert_eq!(ok("$", SET), "$");
    assert_eq!(ok("a$", SET), "a$");
    assert_eq!(ok("$.", SET), "$.");
    assert_eq!(ok("$/x", SET), "$/x");
    assert_eq!(ok("$ x", SET), "$ x");
}

#[test]
fn positional_and_special_parameters() {
    assert_eq!(ok("$1x", SET), "x");
    assert_eq!(ok("$123x", &[("123", "n")]), "nx");
    // A run of digits is one name; a letter after it is not part of it.
    assert_eq!(ok("$1a", &[("1a", "no"), ("1", "one")]), "onea");
    assert_eq!(ok("$@@", SET), "@");
    assert_eq!(ok("$$", SET), "");
    assert_eq!(ok("$#", &[("#", "n")]), "n");
    assert_eq!(ok("${@:-d}", SET), "d");
}

#[test]
fn default_operator() {
    assert_eq!(ok("${V:-d}", SET), "value");
    assert_eq!(ok("${E:-d}", SET), "d");
    assert_eq!(ok("${U:-d}", SET), "d");
    assert_eq!(ok("${V-d}", SET), "value");
    assert_eq!(ok("${E-d}", SET), "");
    assert_eq!(ok("${U-d}", SET), "d");
    assert_eq!(ok("${U:-}", SET), "");
    assert_eq!(ok("${U:-$V}", SET), "value");
    assert_eq!(ok("${U:-${X:-in}ner}", SET), "inner");
    assert_eq!(ok("${U:-a b}", SET), "a b");
    assert_eq!(ok("${U:-'}'}", SET), "}");
    assert_eq!(ok("${U:-\"x y\"}", SET), "x y");
    assert_eq!(ok("${U:-\\}}", SET), "}");
}

#[test]
fn alternative_operator() {
    assert_eq!(ok("${V:+a}", SET), "a");
    assert_eq!(ok("${E:+a}", SET), "");
    assert_eq!(ok("${U:+a}", SET), "");
    assert_eq!(ok("${V+a}", SET), "a");
    assert_eq!(ok("${E+a}", SET), "a");
    assert_eq!(ok("${U+a}", SET), "");
    assert_eq!(ok("${V:+${V}:}", SET), "value:");
}

#[test]
fn required_operator() {
    assert_eq!(ok("${V:?}", SET), "value");
    assert_eq!(ok("${V?}", SET), "value");
    assert_eq!(ok("${E?}", SET), "");
    assert_eq!(
        err("${E:?}", SET),
        ExpandErrorKind::Required {
            name: "E".into(),
            message: "is not allowed to be empty".into()
        }
    );
    assert_eq!(
        err("${U?}", SET),
        ExpandErrorKind::Required {
            name: "U".into(),
            message: "is not allowed to be unset".into()
        }
    );
    assert_eq!(
        err("${U:?message here$V}", SET),
        ExpandErrorKind::Required {
            name: "U".into(),
            message: "message herevalue".into()
        }
    );
    assert_eq!(
        err("${E:?message here$V}", SET),
        ExpandErrorKind::Required {
            name: "E".into(),
            message: "message herevalue".into()
        }
    );
    let failure = word("x${U?}", SET).unwrap_err();
    assert_eq!(failure.offset, 1);
    assert!(!failure.is_syntax_error());
}

#[test]
fn operator_word_is_expanded_even_when_unused() {
    assert!(matches!(
        err("${V:-${U:?}}", SET),
        ExpandErrorKind::Required { .. }
    ));
    assert!(matches!(
        err("${U:+${U:?}}", SET),
        ExpandErrorKind::Required { .. }
    ));
}

#[test]
fn remove_prefix_and_suffix() {
    let path = &[("P", "/usr/local/bin/tool.tar.gz")];
    assert_eq!(ok("${P#*/}", path), "usr/local/bin/tool.tar.gz");
    assert_eq!(ok("${P##*/}", path), "tool.tar.gz");
    assert_eq!(ok("${P%.*}", path), "/usr/local/bin/tool.tar");
    assert_eq!(ok("${P%%.*}", path), "/usr/local/bin/tool");
    assert_eq!(ok("${P#/usr}", path), "/local/bin/tool.tar.gz");
    assert_eq!(ok("${P%nomatch}", path), "/usr/local/bin/tool.tar.gz");
    assert_eq!(ok("${P#?}", path), "usr/local/bin/tool.tar.gz");
    assert_eq!(ok("${U#x}", path), "");
    // Patterns come out of expansions too.
    assert_eq!(ok("${P#$S}", &[("P", "xxyy"), ("S", "x")]), "xyy");
    // BuildKit's own cases.
    let foo = |v: &str| [("FOO", v.to_string())].into_iter().collect::<Variables>();
    let lexer = Lexer::default();
    let check = |w: &str, v: &str, want: &str| {
        assert_eq!(lexer.process_word(w, &foo(v)).unwrap(), want, "{w}")
    };
    check(r"${FOO#()[]{\}^$.\*\?|\\}", r"()[]{}^$.*?|\x", "x");
    check(r"${FOO%%\**}", "xx**", "xx");
    check("${FOO#*x*y}", "xxyy", "y");
    check("${FOO#*}", "xxyy", "xxyy");
    check("${FOO#}", "xxyy", "xxyy");
    check("${FOO##*x}", "xxyy", "yy");
    check("${FOO##}", "xxyy", "xxyy");
    check(r"${FOO#?\?}", "???y", "?y");
    check(r"${FOO%%\**\*}", "a***yy*", "a");
    check("${FOO%}", "xxyy", "xxyy");
    check("${FOO%x}", "xxyy", "xxyy");
}

#[test]
fn colon_with_pattern_operators_is_unsupported() {
    for input in ["${V:#x}", "${V:##x}", "${V:%x}", "${V:%%x}"] {
        assert!(
            matches!(err(input, SET), ExpandErrorKind::UnsupportedModifier(_)),
            "{input}"
        );
    }
}

#[test]
fn invalid_pattern_escapes() {
    assert!(matches!(
        err(r"${V#\x}", SET),
        ExpandErrorKind::InvalidPattern { .. }
    ));
    assert!(matches!(
        err(r"${V%a\}", &[("V", "a")]),
        ExpandErrorKind::MissingBrace
    ));
    assert!(matches!(
        err("${V#$P}", &[("V", "a"), ("P", r"\q")]),
        ExpandErrorKind::InvalidPattern { .. }
    ));
}

#[test]
fn replace_operators() {
    let vars = &[("F", "/tmp/tmp/bar.txt"), ("N", "/tmp")];
    assert_eq!(ok("${F/$N/} - ${F//$N/}", vars), "/tmp/bar.txt - /bar.txt");
    assert_eq!(ok("${F/tmp/x}", vars), "/x/tmp/bar.txt");
    assert_eq!(ok("${F//tmp/x}", vars), "/x/x/bar.txt");
    assert_eq!(ok("${F//\\//\\/}", vars), "\\/tmp\\/tmp\\/bar.txt");
    assert_eq!(ok("${F/*/x}", vars), "x");
    assert_eq!(ok("${F///}", vars), "/tmp/tmp/bar.txt");
    assert_eq!(ok("${U///}", vars), "");
    assert_eq!(ok("${F/nomatch/x}", vars), "/tmp/tmp/bar.txt");
    // The all-matches form reads the replacement as a Go regexp template.
    assert_eq!(ok("${F//tmp/'<$0>'}", vars), "/<tmp>/<tmp>/bar.txt");
    assert_eq!(ok("${F/tmp/'<$0>'}", vars), "/<$0>/tmp/bar.txt");
    let wild = &[("F", "/foo*/*/*.txt"), ("N", "\\*/")];
    assert_eq!(
        ok("${F/$N/.} - ${F//$N/.}", wild),
        "/foo.*/*.txt - /foo..*.txt"
    );
    assert!(matches!(
        err("${F//ww}", vars),
        ExpandErrorKind::MissingSlash
    ));
    assert!(matches!(err("${F//}", vars), ExpandErrorKind::MissingSlash));
    assert!(matches!(
        err("${F/a/b", vars),
        ExpandErrorKind::MissingBrace
    ));
}

#[test]
fn syntax_errors() {
    assert_eq!(err("${}", SET), ExpandErrorKind::BadSubstitution);
    assert_eq!(err("${:}", SET), ExpandErrorKind::BadSubstitution);
    assert_eq!(err("${:-x}", SET), ExpandErrorKind::BadSubstitution);
    assert_eq!(err("${{V}", SET), ExpandErrorKind::BadSubstitution);
    assert_eq!(err("${", SET), ExpandErrorKind::MissingBrace);
    assert_eq!(err("${V:-x", SET), ExpandErrorKind::MissingBrace);
    assert_eq!(err("${V:-${X:-y}", SET), ExpandErrorKind::MissingBrace);
    assert_eq!(
        err("${V:=x}", SET),
        ExpandErrorKind::UnsupportedModifier(":=".into())
    );
    assert_eq!(
        err("${V=x}", SET),
        ExpandErrorKind::UnsupportedModifier("=".into())
    );
    assert_eq!(
        err("${V:x}", SET),
        ExpandErrorKind::UnsupportedModifier(":x".into())
    );
    assert_eq!(
        err("${.}", SET),
        ExpandErrorKind::UnsupportedModifier(".".into())
    );
    assert_eq!(
        err("${V", SET),
        ExpandErrorKind::UnsupportedModifier("\u{FFFD}".into())
    );
    assert_eq!(err("'abc", SET), ExpandErrorKind::UnterminatedSingleQuote);
    assert_eq!(err("\"abc", SET), ExpandErrorKind::UnterminatedDoubleQuote);
    assert_eq!(
        err("\"abc\\\"", SET),
        ExpandErrorKind::UnterminatedDoubleQuote
    );
    let failure = word("ab'cd", SET).unwrap_err();
    assert_eq!(failure.offset, 2);
    assert!(failure.is_syntax_error());
}

#[test]
fn quotes() {
    assert_eq!(ok("'$V'", SET), "$V");
    assert_eq!(ok("'a\\'", SET), "a\\");
    assert_eq!(ok("\"$V\"", SET), "value");
    assert_eq!(ok("\"'$V'\"", SET), "'value'");
    assert_eq!(ok("\"a\\$V\"", SET), "a$V");
    assert_eq!(ok("\"a\\\"b\"", SET), "a\"b");
    assert_eq!(ok("\"a\\\\b\"", SET), "a\\b");
    assert_eq!(ok("\"a\\tb\"", SET), "a\\tb");
    assert_eq!(ok("a'b'\"c\"d", SET), "abcd");
    assert_eq!(ok("''", SET), "");
}

#[test]
fn escapes() {
    assert_eq!(ok("a\\ b", SET), "a b");
    assert_eq!(ok("\\$V", SET), "$V");
    assert_eq!(ok("\\\\$V", SET), "\\value");
    assert_eq!(ok("a\\", SET), "a");
    assert_eq!(ok("\\'", SET), "'");
    assert_eq!(ok("\\${}", SET), "${}");
}

#[test]
fn backtick_escape_token() {
    let lexer = Lexer::new('`');
    let vars = env(SET);
    assert_eq!(
        lexer.process_word("C:\\dir\\$V", &vars).unwrap(),
        "C:\\dir\\value"
    );
    assert_eq!(lexer.process_word("a`$V", &vars).unwrap(), "a$V");
    assert_eq!(lexer.process_word("\"a`\"b\"", &vars).unwrap(), "a\"b");
    assert_eq!(lexer.process_word("\"a\\\"", &vars).unwrap(), "a\\");
    assert_eq!(lexer.process_word("a` b", &vars).unwrap(), "a b");
    assert_eq!(lexer.process_word("${V#`*}", &vars).unwrap(), "value");
}

#[test]
fn field_splitting() {
    let vars = &[("S", " a  b "), ("T", "x")];
    assert_eq!(words("a b  c", vars), ["a", "b", "c"]);
    assert_eq!(words("p${S}q", vars), ["p", "a", "b", "q"]);
    assert_eq!(words("\"$S\"", vars), [" a  b "]);
    assert_eq!(words("'a b' c", vars), ["a b", "c"]);
    assert_eq!(words("a\\ b", vars), ["a b"]);
    assert_eq!(words("\"\"", vars), Vec::<String>::new());
    assert_eq!(words("a \"\" b", vars), ["a", "b"]);
    assert_eq!(words("", vars), Vec::<String>::new());
    assert_eq!(words("   ", vars), Vec::<String>::new());
    assert_eq!(words("a\tb\nc", vars), ["a", "b", "c"]);
    // Unicode spaces split too (Go's unicode.IsSpace).
    assert_eq!(words("a\u{3000}b", vars), ["a", "b"]);
    assert_eq!(words("$T$T", vars), ["xx"]);
    assert_eq!(words("<< EOF x", vars), ["<< EOF", "x"]);
    assert_eq!(words("a <b", vars), ["a", "<b"]);
}

#[test]
fn field_splitting_drops_field_before_operator_expression() {
    // BuildKit shares one field buffer with nested parts, which clear it.
    let vars = &[("T", "x")];
    assert_eq!(words("a${U:-b}c", vars), ["bc"]);
    assert_eq!(words("a b${T:+y}", vars), ["a", "y"]);
    assert_eq!(words("a\"${U:-q}\"", vars), ["q"]);
    assert_eq!(words("a${T}c", vars), ["axc"]);
    // The single value is unaffected.
    assert_eq!(ok("a${U:-b}c", vars), "abc");
}

#[test]
fn byte_order_mark_at_start_is_dropped() {
    assert_eq!(ok("\u{FEFF}a$V", SET), "avalue");
    assert_eq!(ok("a\u{FEFF}", SET), "a\u{FEFF}");
    let expansion = Lexer::default().expand("\u{FEFF}$V", &env(SET)).unwrap();
    assert_eq!(expansion.references[0].span, 3..5);
}

#[test]
fn raw_quotes_and_escapes() {
    let vars = env(SET);
    let raw = Lexer::default().with_raw_quotes(true);
    assert_eq!(
        raw.process_word("'a'\"$V\"", &vars).unwrap(),
        "'a'\"value\""
    );
    let raw = Lexer::default().with_raw_escapes(true);
    assert_eq!(raw.process_word("a\\ b\\", &vars).unwrap(), "a\\ b\\");
    assert_eq!(raw.process_word("\"\\$V\"", &vars).unwrap(), "\\$V");
    let skip = Lexer::default().with_skip_process_quotes(true);
    assert_eq!(
        skip.process_word("'$V' \"x\"", &vars).unwrap(),
        "'value' \"x\""
    );
}

#[test]
fn skip_unset_keeps_references_as_written() {
    let lexer = Lexer::default().with_skip_unset_env(true);
    let vars = env(SET);
    assert_eq!(
        lexer.process_word("$U ${U} $V", &vars).unwrap(),
        "$U ${U} value"
    );
    assert_eq!(
        lexer.process_word("${U:-a$V}", &vars).unwrap(),
        "${U:-avalue}"
    );
    assert_eq!(lexer.process_word("${U//a/b}", &vars).unwrap(), "${U/a/b}");
    assert_eq!(lexer.process_word("${U:=x}", &vars).unwrap(), "${U:=x}");
    // So the unsupported operator fails only when the variable is set.
    assert!(
        !lexer
            .process_word("${V:=x}", &vars)
            .unwrap_err()
            .is_syntax_error()
    );
    assert!(
        lexer
            .process_word("${V:#x}", &vars)
            .unwrap_err()
            .is_syntax_error()
    );
    assert!(
        lexer
            .process_word("${V.}", &vars)
            .unwrap_err()
            .is_syntax_error()
    );
    assert_eq!(lexer.process_word("${E:-d}", &vars).unwrap(), "d");
}

#[test]
fn references_have_spans_forms_and_status() {
    let input = "a$V${U:-$E}\"${P##*/}\"";
    let expansion = Lexer::default().expand(input, &env(SET)).unwrap();
    let found: Vec<(&str, &str, RefForm, bool, bool)> = expansion
        .references
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                &input[r.span.clone()],
                r.form,
                r.quoted,
                r.set,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("V", "$V", RefForm::Plain, false, true),
            (
                "U",
                "${U:-$E}",
                RefForm::Default { colon: true },
                false,
                false
            ),
            ("E", "$E", RefForm::Plain, false, true),
            (
                "P",
                "${P##*/}",
                RefForm::RemovePrefix { longest: true },
                true,
                false
            ),
        ]
    );
    for r in &expansion.references {
        assert_eq!(&input[r.name_span.clone()], r.name);
    }
    assert_eq!(expansion.matched(), ["E", "V"].into_iter().collect());
    assert_eq!(expansion.unmatched(), ["P", "U"].into_iter().collect());
}

#[test]
fn analyze_reports_references_and_static_words() {
    let lexer = Lexer::default();
    let info = lexer.analyze("node:${NODE_VERSION:-20}-alpine").unwrap();
    assert!(!info.is_static());
    assert_eq!(info.names(), ["NODE_VERSION"]);
    assert_eq!(info.references[0].span, 5..24);

    let info = lexer.analyze("'a b'\\ c\"d\"").unwrap();
    assert!(info.is_static());
    assert_eq!(info.static_value.as_deref(), Some("a b cd"));
    assert_eq!(info.static_words, Some(vec!["a b cd".to_string()]));

    // Value-dependent failures are not errors here; syntax errors are.
    assert!(lexer.analyze("${A:?required}${B#\\q}${C//\\q/x}").is_ok());
    assert!(lexer.analyze("${A:=x}").is_err());
    assert!(lexer.analyze("'open").is_err());
    assert_eq!(lexer.analyze("${A:-$B}$A").unwrap().names(), ["A", "B"]);
    assert!(lexer.analyze("$ $. \\$X '$Y'").unwrap().is_static());
}

#[test]
fn environments() {
    let lexer = Lexer::default();
    let closure = |name: &str| (name == "X").then(|| "from closure".to_string());
    assert_eq!(
        lexer.process_word("$X$Y", &closure).unwrap(),
        "from closure"
    );
    let map: std::collections::HashMap<String, String> =
        [("X".to_string(), "m".to_string())].into();
    assert_eq!(lexer.process_word("${X}", &map).unwrap(), "m");
    let tree: BTreeMap<String, String> = [("X".to_string(), String::new())].into();
    assert_eq!(lexer.process_word("${X-unset}", &tree).unwrap(), "");
    assert_eq!(
        lexer.process_word("${X-unset}", &NoVariables).unwrap(),
        "unset"
    );
    let dynamic: &dyn Environment = &tree;
    assert_eq!(lexer.process_word("${X:-empty}", dynamic).unwrap(), "empty");
}

#[test]
fn variables_follow_envs_from_slice() {
    let vars = Variables::from_assignments(["A=1", "B", "C=x=y", "A=2"]);
    assert_eq!(vars.get("A"), Some("2"));
    assert_eq!(vars.get("B"), Some(""));
    assert_eq!(vars.get("C"), Some("x=y"));
    assert_eq!(vars.get("D"), None);
    assert_eq!(vars.names().collect::<Vec<_>>(), ["B", "C", "A"]);
    let mut vars = vars;
    vars.set_default("B", "ignored");
    vars.set_default("D", "d");
    assert_eq!(vars.to_assignments(), ["B=", "C=x=y", "A=2", "D=d"]);
    assert_eq!(vars.remove("C").as_deref(), Some("x=y"));
    assert_eq!(vars.len(), 3);
}

#[test]
fn nesting_limit_is_an_error_not_a_crash() {
    let deep = format!(
        "{}x{}",
        "${A:-".repeat(MAX_NESTING + 1),
        "}".repeat(MAX_NESTING + 1)
    );
    assert_eq!(err(&deep, SET), ExpandErrorKind::TooDeep(MAX_NESTING));
    let ok_depth = format!(
        "{}x{}",
        "${A:-".repeat(MAX_NESTING),
        "}".repeat(MAX_NESTING)
    );
    assert_eq!(ok(&ok_depth, SET), "x");
    let quoted = format!(
        "{}x{}",
        "\"${A:-".repeat(MAX_NESTING),
        "}\"".repeat(MAX_NESTING)
    );
    assert_eq!(ok(&quoted, SET), "x");
}

#[test]
fn odd_but_accepted_forms() {
    // An empty name before an operator is looked up as "".
    assert_eq!(ok("${+x}", SET), "");
    assert_eq!(ok("${-}y", &[("-", "dash")]), "dashy");
    assert!(matches!(
        err("${-x}", SET),
        ExpandErrorKind::UnsupportedModifier(_)
    ));
    assert_eq!(ok("${%x}", SET), "");
    assert_eq!(ok("${#}", &[("#", "n")]), "n");
    assert!(matches!(
        err("${#x}", SET),
        ExpandErrorKind::UnsupportedModifier(_)
    ));
}
