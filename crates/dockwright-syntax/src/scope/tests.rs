//! One test per scoping rule in the module documentation, most taken from BuildKit's own
//! integration tests (`dockerfile_args_test.go`).

use super::*;

fn amd64() -> Platform {
    Platform::new("linux", "amd64")
}

fn scope(build_args: &[(&str, &str)]) -> BuildScope {
    BuildScope::new(build_args.iter().copied(), amd64(), amd64())
}

fn get<'a>(vars: &'a Variables, name: &str) -> Option<&'a str> {
    vars.get(name)
}

#[test]
fn rule_1_automatic_platform_args_in_global_scope() {
    let arm = Platform::new("linux", "arm").with_variant("v7");
    let s = BuildScope::new(Vec::<(String, String)>::new(), arm, amd64());
    let g = s.global_env();
    assert_eq!(get(g, "TARGETPLATFORM"), Some("linux/arm/v7"));
    assert_eq!(get(g, "TARGETOS"), Some("linux"));
    assert_eq!(get(g, "TARGETARCH"), Some("arm"));
    assert_eq!(get(g, "TARGETVARIANT"), Some("v7"));
    assert_eq!(get(g, "TARGETOSVERSION"), Some(""));
    assert_eq!(get(g, "BUILDPLATFORM"), Some("linux/amd64"));
    assert_eq!(get(g, "BUILDOS"), Some("linux"));
    assert_eq!(get(g, "BUILDARCH"), Some("amd64"));
    assert_eq!(get(g, "BUILDVARIANT"), Some(""));
    assert_eq!(get(g, "TARGETSTAGE"), Some("default"));
    // Empty but set: `${TARGETVARIANT:+-$TARGETVARIANT}` is the idiom.
    let amd = scope(&[]);
    let word = "tool.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}";
    assert_eq!(amd.expand_in_from(word).unwrap().value, "tool.linux-amd64");
    assert_eq!(
        amd.expand_in_from("${TARGETVARIANT-unset}").unwrap().value,
        ""
    );
    // TARGETSTAGE names the target (or last) stage.
    let named = scope(&[]).with_target_stage(Some("final"));
    assert_eq!(get(named.global_env(), "TARGETSTAGE"), Some("final"));
    let windows = Platform::parse("windows(10.0.17763)/amd64").unwrap();
    let w = BuildScope::new([("A", "b")], windows, amd64());
    assert_eq!(
        get(w.global_env(), "TARGETPLATFORM"),
        Some("windows(10.0.17763)/amd64")
    );
    assert_eq!(get(w.global_env(), "TARGETOSVERSION"), Some("10.0.17763"));
}

#[test]
fn rule_1_build_args_replace_automatic_args() {
    let s =
        scope(&[("TARGETARCH", "riscv64"), ("TARGETSTAGE", "x")]).with_target_stage(Some("final"));
    assert_eq!(get(s.global_env(), "TARGETARCH"), Some("riscv64"));
    assert_eq!(get(s.global_env(), "TARGETSTAGE"), Some("x"));
}

#[test]
fn rule_2_global_args_expand_defaults_in_order() {
    // testMultiArgs / testQuotedMetaArgs.
    let mut s = scope(&[]);
    s.declare_global_arg("a1", Some("\"foo bar\"")).unwrap();
    s.declare_global_arg("a2", Some("box")).unwrap();
    let a3 = s.declare_global_arg("a3", Some("\"$a2-foo\"")).unwrap();
    assert_eq!(a3.value.as_deref(), Some("box-foo"));
    assert_eq!(a3.source, ArgSource::Default);
    assert_eq!(a3.references[0].name, "a2");
    assert_eq!(s.expand_in_from("busy$a2").unwrap().value, "busybox");
    assert_eq!(get(s.global_env(), "a1"), Some("foo bar"));
    // Defaults see the automatic ARGs.
    let arch = s.declare_global_arg("ARCH", Some("${TARGETARCH}")).unwrap();
    assert_eq!(arch.value.as_deref(), Some("amd64"));
}

#[test]
fn rule_2_build_arg_wins_over_default_and_is_not_expanded() {
    // testGlobalArg: `ARG tag=nosuchtag` / `FROM busybox:${tag}` with --build-arg tag=latest.
    let mut s = scope(&[("tag", "latest"), ("raw", "$tag")]);
    let tag = s.declare_global_arg("tag", Some("nosuchtag")).unwrap();
    assert_eq!(
        (tag.value.as_deref(), tag.source),
        (Some("latest"), ArgSource::BuildArg)
    );
    s.declare_global_arg("raw", Some("x")).unwrap();
    assert_eq!(get(s.global_env(), "raw"), Some("$tag"));
    assert_eq!(
        s.expand_in_from("busybox:${tag}").unwrap().value,
        "busybox:latest"
    );
}

#[test]
fn rule_2_global_arg_errors_surface() {
    // testGlobalArgErrors: `ARG FOO=${FOO:?"custom error"}`.
    let mut s = scope(&[]);
    let err = s
        .declare_global_arg("FOO", Some("${FOO:?\"custom error\"}"))
        .unwrap_err();
    assert!(err.to_string().contains("FOO: custom error"), "{err}");
    let mut s = scope(&[("FOO", "bar")]);
    assert!(
        s.declare_global_arg("FOO", Some("${FOO:?\"custom error\"}"))
            .is_ok()
    );
}

#[test]
fn rule_2_global_arg_without_value_adds_nothing() {
    let mut s = scope(&[]);
    s.declare_global_arg("A", Some("1")).unwrap();
    let again = s.declare_global_arg("A", None).unwrap();
    assert_eq!(again.source, ArgSource::Unset);
    assert_eq!(get(s.global_env(), "A"), Some("1"));
    s.declare_global_arg("B", None).unwrap();
    assert_eq!(get(s.global_env(), "B"), None);
    assert!(s.is_declared_global_arg("B"));
    assert!(!s.is_declared_global_arg("C"));
}

#[test]
fn rule_3_undeclared_build_args_are_invisible() {
    let mut s = scope(&[("FOO", "x")]);
    assert_eq!(get(s.global_env(), "FOO"), None);
    s.begin_stage(Base::Scratch).unwrap();
    assert_eq!(s.expand("${FOO:-unset}").unwrap().value, "unset");
}

#[test]
fn rule_4_stages_start_without_global_args() {
    let mut s = scope(&[("B", "from-build-arg")]);
    s.declare_global_arg("A", Some("global")).unwrap();
    s.declare_global_arg("B", Some("default")).unwrap();
    s.begin_stage(Base::Image).unwrap();
    assert_eq!(s.expand("[$A][$B][$TARGETARCH]").unwrap().value, "[][][]");
    let a = s.stage_arg("A", None).unwrap();
    assert_eq!(
        (a.value.as_deref(), a.source),
        (Some("global"), ArgSource::Global)
    );
    let b = s.stage_arg("B", None).unwrap();
    assert_eq!(
        (b.value.as_deref(), b.source),
        (Some("from-build-arg"), ArgSource::BuildArg)
    );
    let arch = s.stage_arg("TARGETARCH", None).unwrap();
    assert_eq!(arch.source, ArgSource::Global);
    assert_eq!(
        s.expand("[$A][$B][$TARGETARCH]").unwrap().value,
        "[global][from-build-arg][amd64]"
    );
    // Declared without any value: still unset.
    let c = s.stage_arg("C", None).unwrap();
    assert_eq!((c.value, c.source), (None, ArgSource::Unset));
    assert_eq!(s.env().get("C"), None);
}

#[test]
fn rule_4_target_stage_only_after_arg() {
    // testTargetStageNameArg.
    let mut s = scope(&[]).with_target_stage(Some("foo"));
    s.begin_stage(Base::Image).unwrap();
    assert_eq!(s.expand("value:$TARGETSTAGE").unwrap().value, "value:");
    s.stage_arg("TARGETSTAGE", None).unwrap();
    assert_eq!(s.expand("value:$TARGETSTAGE").unwrap().value, "value:foo");
}

#[test]
fn rule_5_stage_arg_defaults() {
    // testMultiArgs: `ARG a3 a4="123 456" a1` in the stage after global a1, a3.
    let mut s = scope(&[]);
    s.declare_global_arg("a1", Some("\"foo bar\"")).unwrap();
    s.declare_global_arg("a2", Some("box")).unwrap();
    s.declare_global_arg("a3", Some("\"$a2-foo\"")).unwrap();
    s.begin_stage(Base::Image).unwrap();
    s.stage_arg("a3", None).unwrap();
    s.stage_arg("a4", Some("\"123 456\"")).unwrap();
    s.stage_arg("a1", None).unwrap();
    assert_eq!(
        s.expand("\"$a1:$a3:$a4\"").unwrap().value,
        "foo bar:box-foo:123 456"
    );
    // testQuotedMetaArgs: a stage default sees earlier stage ARGs.
    let a5 = s.stage_arg("a5", Some("\"bar-$a3\"")).unwrap();
    assert_eq!(a5.value.as_deref(), Some("bar-box-foo"));
    // Not in the image config.
    assert_eq!(s.current_stage().unwrap().image_env().get("a5"), None);
}

#[test]
fn rule_5_build_arg_beats_stage_default() {
    // testArgDefaultExpansion: `ARG FOO` / `ARG BAR=${FOO:?"foo missing"}`.
    let mut s = scope(&[]);
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_arg("FOO", None).unwrap();
    let err = s
        .stage_arg("BAR", Some("${FOO:?\"foo missing\"}"))
        .unwrap_err();
    assert!(err.to_string().contains("FOO: foo missing"), "{err}");

    let mut s = scope(&[("BAR", "123")]);
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_arg("FOO", None).unwrap();
    let bar = s.stage_arg("BAR", Some("${FOO:?\"foo missing\"}")).unwrap();
    assert_eq!(
        (bar.value.as_deref(), bar.source),
        (Some("123"), ArgSource::BuildArg)
    );

    // An empty --build-arg is still a value (testEmptyStringArgInEnv: `ARG BAR=`).
    let mut s = scope(&[("E", "")]);
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_arg("E", Some("default")).unwrap();
    s.stage_arg("BAR", Some("")).unwrap();
    assert_eq!(s.env().get("E"), Some(""));
    assert_eq!(s.env().get("BAR"), Some(""));
}

#[test]
fn rule_6_env_pairs_expand_against_the_environment_before_the_instruction() {
    let mut s = scope(&[]);
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_env("A", "old").unwrap();
    let pairs = s
        .env_instruction(&[("A", "1"), ("B", "$A"), ("${A}_KEY", "'$A'")])
        .unwrap();
    assert_eq!(
        pairs,
        [("A", "1"), ("B", "old"), ("old_KEY", "$A")].map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_eq!(s.env().get("A"), Some("1"));
    assert_eq!(
        s.current_stage().unwrap().image_env().get("old_KEY"),
        Some("$A")
    );
    // testDefaultEnvWithArgs: ENV values built from an ARG with operators.
    let mut s = scope(&[]);
    s.begin_stage(Base::Image).unwrap();
    s.stage_arg("my_arg", None).unwrap();
    s.stage_env("my_arg", "\"my_arg=${my_arg:-def_val}\"")
        .unwrap();
    s.stage_env("my_trimmed_arg", "\"${my_arg%%e*}\"").unwrap();
    assert_eq!(s.env().get("my_arg"), Some("my_arg=def_val"));
    assert_eq!(s.env().get("my_trimmed_arg"), Some("my_arg=d"));
}

#[test]
fn rule_7_later_of_env_and_arg_wins_in_the_step_environment() {
    let mut s = scope(&[]);
    s.begin_stage(Base::Scratch).unwrap();
    // ENV after ARG replaces it everywhere.
    s.stage_arg("V", Some("arg")).unwrap();
    s.stage_env("V", "env").unwrap();
    assert_eq!(s.env().get("V"), Some("env"));
    // An ARG without a value leaves the ENV alone.
    s.stage_arg("V", None).unwrap();
    assert_eq!(s.env().get("V"), Some("env"));
    // An ARG with a value replaces it for the steps, not in the image.
    s.stage_arg("V", Some("arg2")).unwrap();
    assert_eq!(s.env().get("V"), Some("arg2"));
    assert_eq!(s.current_stage().unwrap().image_env().get("V"), Some("env"));
}

#[test]
fn rule_8_child_stages_inherit_env_args_and_declarations() {
    let mut s = scope(&[]);
    s.declare_global_arg("G", Some("global")).unwrap();
    let base = s.begin_stage(Base::Image).unwrap();
    s.stage_arg("A", Some("from-arg")).unwrap();
    s.stage_arg("U", None).unwrap();
    s.stage_env("E", "from-env").unwrap();
    s.stage_env("BOTH", "env").unwrap();
    s.stage_arg("BOTH", Some("arg")).unwrap();
    assert_eq!(s.env().get("BOTH"), Some("arg"));
    let child = s.begin_stage(Base::Stage(base)).unwrap();
    assert_eq!(child, 1);
    assert_eq!(
        s.expand("$A $E $BOTH [$G]").unwrap().value,
        "from-arg from-env env []"
    );
    let stage = s.current_stage().unwrap();
    assert!(stage.is_declared_arg("A") && stage.is_declared_arg("U"));
    assert!(!stage.base_env_known());
    assert_eq!(stage.image_env().get("A"), None);
    assert_eq!(
        s.begin_stage(Base::Stage(7)),
        Err(ScopeError::UnknownStage(7))
    );
}

#[test]
fn rule_9_image_env_and_default_path() {
    let mut s = scope(&[]);
    s.begin_stage(Base::Scratch).unwrap();
    assert_eq!(s.env().to_assignments(), [format!("PATH={DEFAULT_PATH}")]);
    assert!(s.current_stage().unwrap().base_env_known());
    let image_env = Variables::from_assignments(["PATH=/opt/bin", "LANG=C.UTF-8"]);
    s.begin_stage(Base::ImageWithEnv(image_env)).unwrap();
    assert_eq!(s.expand("$PATH $LANG").unwrap().value, "/opt/bin C.UTF-8");
    s.begin_stage(Base::ImageWithEnv(Variables::from_assignments(["LANG=C"])))
        .unwrap();
    assert_eq!(s.env().get("PATH"), Some(DEFAULT_PATH));
    let windows = Platform::new("windows", "amd64");
    s.begin_stage_on(Base::Scratch, &windows).unwrap();
    assert!(s.env().is_empty());
}

#[test]
fn rule_10_sbom_scan_args_stay_out_of_the_environment() {
    let mut s = scope(&[("BUILDKIT_SBOM_SCAN_STAGE", "true")]);
    s.declare_global_arg("BUILDKIT_SBOM_SCAN_CONTEXT", Some("true"))
        .unwrap();
    assert_eq!(
        get(s.global_env(), "BUILDKIT_SBOM_SCAN_CONTEXT"),
        Some("true")
    );
    s.begin_stage(Base::Scratch).unwrap();
    let scan = s.stage_arg("BUILDKIT_SBOM_SCAN_STAGE", None).unwrap();
    assert_eq!(scan.value.as_deref(), Some("true"));
    assert_eq!(s.env().get("BUILDKIT_SBOM_SCAN_STAGE"), None);
    s.stage_arg("BUILDKIT_INLINE_CACHE", Some("1")).unwrap();
    assert_eq!(s.env().get("BUILDKIT_INLINE_CACHE"), Some("1"));
}

#[test]
fn rule_11_proxy_args_reach_run_without_declaration() {
    // testBuiltinArgs: --build-arg http_proxy=hpvalue NO_PROXY=npvalue.
    let mut s = scope(&[
        ("http_proxy", "hpvalue"),
        ("NO_PROXY", "npvalue"),
        ("FOO", "foocontents"),
    ]);
    let proxy = s.proxy_env();
    assert_eq!(proxy.get("HTTP_PROXY"), Some("hpvalue"));
    assert_eq!(proxy.get("http_proxy"), Some("hpvalue"));
    assert_eq!(proxy.get("no_proxy"), Some("npvalue"));
    assert_eq!(proxy.get("HTTPS_PROXY"), None);
    s.begin_stage(Base::Image).unwrap();
    assert_eq!(s.expand("$http_proxy$HTTP_PROXY").unwrap().value, "");
    let both = scope(&[("HTTP_PROXY", "upper"), ("http_proxy", "lower")]);
    assert_eq!(both.proxy_env().get("HTTP_PROXY"), Some("lower"));
    let empty = scope(&[("HTTP_PROXY", "upper"), ("http_proxy", "")]);
    assert!(empty.proxy_env().is_empty());
}

#[test]
fn rule_12_undefined_references() {
    let mut s = scope(&[]);
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_arg("DECLARED", None).unwrap();
    s.stage_env("SET", "1").unwrap();
    let expansion = s
        .expand("$SET $DECLARED $MISSING ${OTHER:-x} $BUILDKIT_SBOM_SCAN_STAGE")
        .unwrap();
    let stage = s.current_stage().unwrap();
    let undefined: Vec<&str> = stage
        .undefined_references(&expansion)
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(undefined, ["MISSING", "OTHER"]);
}

#[test]
fn escape_directive_applies_to_defaults_and_env() {
    let mut s = scope(&[]).with_escape('`');
    s.begin_stage(Base::Scratch).unwrap();
    s.stage_env("GOPATH", "\\go").unwrap();
    s.stage_env("X", "a` b").unwrap();
    assert_eq!(s.env().get("GOPATH"), Some("\\go"));
    assert_eq!(s.env().get("X"), Some("a b"));
}

#[test]
fn misuse_is_an_error() {
    let mut s = scope(&[]);
    assert_eq!(s.stage_arg("A", None), Err(ScopeError::NoStage));
    assert_eq!(s.stage_env("A", "b"), Err(ScopeError::NoStage));
    assert_eq!(s.env(), s.global_env());
    s.begin_stage(Base::Scratch).unwrap();
    assert_eq!(
        s.declare_global_arg("A", None),
        Err(ScopeError::GlobalArgAfterFrom("A".into()))
    );
}
