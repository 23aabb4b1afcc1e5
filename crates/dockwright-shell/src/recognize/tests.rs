//! Recognition under spelling variants: every test states one fact several ways.

use crate::{
    Action, CacheLocation, DownloadOutput, ExtractTool, PackageArgKind, PackageFlagKind as F,
    PackageManager as M, PackageOperation as Op, ParseOptions, Script, SimpleCommand, parse,
};

fn script(src: &str) -> Script {
    let s = parse(src, &ParseOptions::default());
    assert!(s.errors.is_empty(), "{src}: {:?}", s.errors);
    s
}

/// The first command with a recognised action.
fn action(src: &str) -> Action {
    script(src)
        .commands()
        .iter()
        .map(|c| c.action.clone())
        .find(|a| *a != Action::Unknown)
        .unwrap_or_else(|| panic!("nothing recognised in {src:?}"))
}

fn package(src: &str) -> crate::PackageCommand {
    match action(src) {
        Action::Package(p) => p,
        other => panic!("{src}: not a package command: {other:?}"),
    }
}

fn names(p: &crate::PackageCommand) -> Vec<&str> {
    p.packages.iter().map(|a| a.name.as_str()).collect()
}

fn first(src: &str) -> SimpleCommand {
    script(src).commands()[0].clone()
}

#[test]
fn apt_get_install_in_any_spelling() {
    for src in [
        "apt-get install -y curl",
        "apt-get -y install curl",
        "/usr/bin/apt-get install --yes curl",
        "apt-get install --assume-yes curl",
        "apt-get -qq install curl",
        "apt-get install -q -q curl",
        "apt-get install -q=2 curl",
        "apt-get -yq install curl",
        "apt-get -o APT::Get::Assume-Yes=true install curl",
        "sudo apt-get install -y curl",
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y curl",
        "DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get install -y curl",
        "'apt-get' \"install\" -y cu\\\nrl",
    ] {
        let p = package(src);
        assert_eq!((p.manager, p.operation), (M::AptGet, Op::Install), "{src}");
        assert!(p.has(F::AssumeYes), "{src}");
        assert_eq!(names(&p), ["curl"], "{src}");
    }
    for src in ["apt-get install curl", "apt-get -q install curl"] {
        assert!(!package(src).has(F::AssumeYes), "{src}");
    }
}

#[test]
fn apt_flags_and_pins() {
    let p = package(
        "apt-get install -y --no-install-recommends -t bookworm-backports a=1.0 b/sid ./c.deb \"$D\"",
    );
    assert!(p.has(F::NoInstallRecommends));
    let kinds: Vec<_> = p
        .packages
        .iter()
        .map(|a| (a.name.as_str(), a.version.as_deref(), a.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a", Some("1.0"), PackageArgKind::Name),
            ("b", Some("sid"), PackageArgKind::Name),
            ("./c.deb", None, PackageArgKind::File),
            ("$D", None, PackageArgKind::Variable),
        ]
    );
    assert!(p.packages[0].is_pinned());
    assert!(!p.packages[1].is_pinned(), "a release is not a version");
    let p = package("apt-get install -o APT::Install-Recommends=0 -y x");
    assert!(p.has(F::NoInstallRecommends));
    let p = package("apt-get --allow-unauthenticated install -y x");
    assert!(p.has(F::Insecure));
    assert_eq!(package("apt install -y x").manager, M::Apt);
    assert_eq!(package("aptitude install -y x").manager, M::Aptitude);
    for (src, op) in [
        ("apt-get update", Op::UpdateIndex),
        ("apt-get -y upgrade", Op::Upgrade),
        ("apt-get dist-upgrade -y", Op::DistUpgrade),
        ("apt-get clean", Op::CleanCache),
        ("apt-get autoremove -y", Op::Autoremove),
        ("apt-get purge -y x", Op::Remove),
        ("dpkg -i /tmp/x.deb", Op::Install),
    ] {
        assert_eq!(package(src).operation, op, "{src}");
    }
}

#[test]
fn apk_variants() {
    for src in [
        "apk add --no-cache curl",
        "apk --no-cache add curl",
        "apk add curl --no-cache",
        "/sbin/apk add --no-cache --virtual=.deps curl",
        "apk add --no-cache -t .deps curl",
    ] {
        let p = package(src);
        assert_eq!((p.manager, p.operation), (M::Apk, Op::Install), "{src}");
        assert!(p.has(F::NoCache), "{src}");
        assert_eq!(names(&p), ["curl"], "{src}");
    }
    let p = package("apk add -U a=1 b~2 'c>=3' \"d<4\" x.apk");
    assert!(p.has(F::RefreshIndex));
    let ops: Vec<_> = p.packages.iter().map(|a| a.operator.as_deref()).collect();
    assert_eq!(ops, [Some("="), Some("~"), Some(">="), Some("<"), None]);
    assert_eq!(package("apk del .deps").operation, Op::Remove);
    assert_eq!(package("apk cache clean").operation, Op::CleanCache);
}

#[test]
fn rpm_family() {
    for src in [
        "yum install -y httpd-2.4",
        "yum -y install httpd-2.4",
        "yum install --assumeyes httpd-2.4",
    ] {
        let p = package(src);
        assert!(p.has(F::AssumeYes), "{src}");
        assert_eq!(p.packages[0].name, "httpd");
        assert_eq!(p.packages[0].version.as_deref(), Some("2.4"));
    }
    let p = package("dnf install -y python3-devel gcc-c++ ./x.rpm");
    let versions: Vec<_> = p.packages.iter().map(|a| a.version.as_deref()).collect();
    assert_eq!(versions, [None, None, None]);
    assert_eq!(p.packages[2].kind, PackageArgKind::File);
    let p = package("dnf clean all");
    assert_eq!(p.operation, Op::CleanCache);
    assert_eq!(p.operands[0].text, "all");
    let p = package("zypper -n in --no-recommends curl");
    assert!(p.has(F::AssumeYes) && p.has(F::NoInstallRecommends));
    assert_eq!(p.operation, Op::Install);
    assert!(!package("zypper install curl").has(F::AssumeYes));
    assert_eq!(package("zypper dup").operation, Op::DistUpgrade);
    assert_eq!(package("microdnf --nodocs install x").manager, M::Microdnf);
    assert!(package("microdnf --nodocs install x").has(F::NoDocument));
    assert!(package("yum --nogpgcheck install -y x").has(F::Insecure));
}

#[test]
fn pip_in_any_spelling() {
    for src in [
        "pip install --no-cache-dir flask==2.0",
        "pip3 install flask==2.0 --no-cache-dir",
        "pip --no-cache-dir install flask==2.0",
        "python -m pip install --no-cache-dir flask==2.0",
        "python3.11 -m pip install --no-cache-dir flask==2.0",
        "/opt/venv/bin/pip install --no-cache-dir flask==2.0",
        "\"$VENV/bin/pip\" install --no-cache-dir flask==2.0",
        "PIP_NO_CACHE_DIR=1 pip install flask==2.0",
        "env PIP_NO_CACHE_DIR=1 pip install flask==2.0",
        "pip3.12 install --no-cache flask==2.0",
    ] {
        let p = package(src);
        assert_eq!((p.manager, p.operation), (M::Pip, Op::Install), "{src}");
        assert!(p.has(F::NoCache), "{src}");
        assert_eq!(names(&p), ["flask"], "{src}");
        assert!(p.packages[0].is_pinned(), "{src}");
    }
    let p = package("pip install -r requirements.txt --requirement=dev.txt -e ./lib -U .");
    let kinds: Vec<_> = p
        .packages
        .iter()
        .map(|a| (a.name.as_str(), a.kind, a.editable))
        .collect();
    assert_eq!(
        kinds,
        [
            ("requirements.txt", PackageArgKind::Requirements, false),
            ("dev.txt", PackageArgKind::Requirements, false),
            ("./lib", PackageArgKind::Directory, true),
            (".", PackageArgKind::Directory, false),
        ]
    );
    assert!(p.has(F::Upgrade) && p.has(F::Editable));
    assert!(package("pip install --trusted-host x.org y").has(F::Insecure));
    assert!(package("pip install --user y").has(F::User));
    assert_eq!(package("pip cache purge").operation, Op::CleanCache);
    let p = package("pip install 'a>=1' b~=2 c!=3 d===4 e[x]==5 f");
    let pinned: Vec<_> = p
        .packages
        .iter()
        .map(crate::PackageArg::is_pinned)
        .collect();
    assert_eq!(pinned, [true, true, true, true, true, false]);
}

#[test]
fn other_python_tools() {
    let p = package("uv pip install --system -r req.txt");
    assert_eq!(p.manager, M::Uv);
    assert!(p.has(F::System));
    let p = package("uv sync --locked --no-dev");
    assert!(p.has(F::Frozen) && p.has(F::DevExcluded));
    for src in [
        "poetry install --no-dev",
        "poetry install --only main",
        "poetry install --only=main",
        "poetry install --without dev,test",
    ] {
        assert!(package(src).has(F::DevExcluded), "{src}");
    }
    assert!(!package("poetry install").has(F::DevExcluded));
    assert!(package("poetry install --with dev").has(F::DevIncluded));
    let p = package("pipenv install --deploy --system --dev");
    assert!(p.has(F::Frozen) && p.has(F::System) && p.has(F::DevIncluded));
    let p = package("conda install -y numpy=1.26 -c conda-forge");
    assert!(p.has(F::AssumeYes));
    assert_eq!(names(&p), ["numpy"]);
    let p = package("mamba clean -afy");
    assert_eq!((p.manager, p.operation), (M::Conda, Op::CleanCache));
    assert!(p.has(F::AssumeYes));
}

#[test]
fn javascript_tools() {
    for src in [
        "npm ci --omit=dev",
        "npm ci --production",
        "npm ci --only=production",
        "npm install --omit=dev --omit=optional",
        "NODE_ENV=production npm ci",
    ] {
        assert!(package(src).has(F::DevExcluded), "{src}");
    }
    assert!(package("npm ci").has(F::Frozen));
    assert!(!package("npm install").has(F::Frozen));
    let p =
        package("npm i -g @scope/tool@1.2.3 left-pad git+https://github.com/a/b.git#v1 ./local");
    assert!(p.has(F::Global));
    let pinned: Vec<_> = p
        .packages
        .iter()
        .map(|a| (a.name.as_str(), a.is_pinned()))
        .collect();
    assert_eq!(
        pinned,
        [
            ("@scope/tool", true),
            ("left-pad", false),
            ("git+https://github.com/a/b.git", true),
            ("./local", true),
        ]
    );
    for src in [
        "npm config set strict-ssl false",
        "npm config set strict-ssl=false",
        "npm set strict-ssl false",
        "yarn config set strict-ssl false",
        "npm install --strict-ssl=false",
    ] {
        assert!(package(src).has(F::Insecure), "{src}");
    }
    for src in [
        "npm cache clean --force",
        "yarn cache clean",
        "pnpm store prune",
    ] {
        assert_eq!(package(src).operation, Op::CleanCache, "{src}");
    }
    let p = package("yarn");
    assert_eq!((p.manager, p.operation), (M::Yarn, Op::Install));
    assert!(package("yarn install --immutable").has(F::Frozen));
    let p = package("yarn global add pm2@5");
    assert!(p.has(F::Global));
    assert_eq!(names(&p), ["pm2"]);
    assert!(package("pnpm i -P").has(F::DevExcluded));
    for src in [
        "npm run build",
        "yarn build",
        "yarn run build:prod",
        "pnpm run build",
        "npx tsc -p .",
    ] {
        assert!(matches!(action(src), Action::Build(_)), "{src}");
    }
    assert!(script("npm run test").commands()[0].action == Action::Unknown);
}

#[test]
fn ruby_go_rust_php_jvm() {
    let p = package("gem install rails -v 7.1 --no-document");
    assert!(p.has(F::NoDocument));
    assert_eq!(p.packages[0].version.as_deref(), Some("7.1"));
    assert!(package("gem install rails:7.1 -N").packages[0].is_pinned());
    assert!(!package("gem install rails").packages[0].is_pinned());
    let p = package("bundle install --without development test");
    assert!(p.has(F::DevExcluded));
    assert!(package("BUNDLE_WITHOUT=development bundle install").has(F::DevExcluded));
    assert!(package("bundle install --deployment").has(F::Frozen));
    let p = package("go install example.com/tool@v1.2.3 example.com/other");
    let pinned: Vec<_> = p
        .packages
        .iter()
        .map(crate::PackageArg::is_pinned)
        .collect();
    assert_eq!(pinned, [true, false]);
    assert!(matches!(action("go install ./cmd/..."), Action::Build(_)));
    assert!(matches!(action("go build -o app ."), Action::Build(_)));
    assert_eq!(package("go mod download").operation, Op::Fetch);
    let p = package("cargo install ripgrep@14.1.0 --locked");
    assert!(p.has(F::Frozen) && p.packages[0].is_pinned());
    assert!(matches!(action("cargo build --release"), Action::Build(_)));
    assert!(matches!(action("cargo +nightly build"), Action::Build(_)));
    let p = package("composer install --no-dev --no-interaction");
    assert!(p.has(F::DevExcluded) && p.has(F::Frozen) && p.has(F::AssumeYes));
    let p = package("composer require vendor/pkg ^1.0 other/pkg:2");
    let versions: Vec<_> = p.packages.iter().map(|a| a.version.as_deref()).collect();
    assert_eq!(versions, [Some("^1.0"), Some("2")]);
    assert_eq!(package("mvn -B dependency:go-offline").operation, Op::Fetch);
    assert!(matches!(
        action("mvn -B -q -pl app -am package -DskipTests"),
        Action::Build(_)
    ));
    assert!(matches!(
        action("./gradlew :app:bootJar --no-daemon"),
        Action::Build(_)
    ));
    assert!(matches!(action("make -C src -j4"), Action::Build(_)));
    assert!(matches!(
        action("./configure --prefix=/usr"),
        Action::Build(_)
    ));
    assert!(script("configure").commands()[0].action == Action::Unknown);
}

#[test]
fn downloads() {
    let Action::Download(d) = action("curl -fsSLo /tmp/x.tgz https://x/a.tgz") else {
        panic!()
    };
    assert!(d.quiet && d.fail_on_http_error);
    assert!(matches!(&d.output, DownloadOutput::File(f) if f.text == "/tmp/x.tgz"));
    assert_eq!(d.urls[0].text, "https://x/a.tgz");
    for (src, stdout) in [
        ("curl https://x", true),
        ("curl -o - https://x", true),
        ("curl --output=f https://x", false),
        ("curl -O https://x", false),
        ("wget https://x", false),
        ("wget -qO- https://x", true),
        ("wget -O - https://x", true),
        ("wget --output-document=f https://x", false),
        ("wget -P /tmp https://x", false),
    ] {
        let Action::Download(d) = action(src) else {
            panic!()
        };
        assert_eq!(d.output == DownloadOutput::Stdout, stdout, "{src}");
    }
    for src in [
        "curl -k https://x",
        "curl -sSLk https://x",
        "curl --insecure https://x",
        "wget --no-check-certificate https://x",
    ] {
        let Action::Download(d) = action(src) else {
            panic!()
        };
        assert!(d.insecure.is_some(), "{src}");
    }
    let Action::Download(d) = action("wget -nv https://x") else {
        panic!()
    };
    assert!(d.quiet && d.progress.is_none());
    let Action::Download(d) = action("wget --progress=dot:giga https://x") else {
        panic!()
    };
    assert_eq!(d.progress.as_deref(), Some("dot:giga"));
}

#[test]
fn downloads_run_as_scripts() {
    for src in [
        "curl -fsSL https://x | sh",
        "curl -fsSL https://x | bash -s -- --flag",
        "wget -qO- https://x | sudo -E bash -",
        "curl -sL https://x | python3 -",
        "sh -c \"$(curl -fsSL https://x)\"",
        "bash <(curl -s https://x)",
        "eval \"$(curl -s https://x)\"",
    ] {
        let s = script(src);
        let piped = s.commands().iter().any(|c| match &c.action {
            Action::Download(d) => d.piped_into.is_some(),
            _ => false,
        });
        assert!(piped, "{src}");
    }
    for src in [
        "curl -fsSL https://x | tar xz",
        "curl -o f https://x && sh f",
    ] {
        let s = script(src);
        assert!(s.commands().iter().all(|c| match &c.action {
            Action::Download(d) => d.piped_into.is_none(),
            _ => true,
        }));
    }
}

#[test]
fn extraction() {
    for src in [
        "tar xzf a.tgz -C /opt",
        "tar -xzf a.tgz -C /opt",
        "tar -xvzf a.tgz --directory /opt",
        "tar --extract --file=a.tgz --directory=/opt",
        "tar -C /opt -xf a.tgz",
        "tar -x -f a.tgz -C /opt --strip-components=1",
        "tar zxvfC a.tgz /opt",
    ] {
        let Action::Extract(e) = action(src) else {
            panic!("{src}")
        };
        assert_eq!(e.tool, ExtractTool::Tar);
        assert_eq!(e.archive.map(|a| a.text).as_deref(), Some("a.tgz"), "{src}");
        assert_eq!(
            e.destination.map(|a| a.text).as_deref(),
            Some("/opt"),
            "{src}"
        );
    }
    let Action::Extract(e) = action("tar -xzf - -C /opt") else {
        panic!()
    };
    assert!(e.archive.is_none());
    assert!(script("tar -czf out.tgz dir").commands()[0].action == Action::Unknown);
    let Action::Extract(e) = action("unzip -q a.zip -d /opt") else {
        panic!()
    };
    assert_eq!(
        (e.tool, e.destination.map(|d| d.text)),
        (ExtractTool::Unzip, Some("/opt".into()))
    );
    assert!(matches!(action("gunzip x.gz"), Action::Extract(_)));
    assert!(matches!(action("gzip -d x.gz"), Action::Extract(_)));
    assert!(script("gzip x").commands()[0].action == Action::Unknown);
}

#[test]
fn removal_and_cleanup() {
    for src in [
        "rm -rf /var/lib/apt/lists/*",
        "rm -fr /var/lib/apt/lists/*",
        "rm -r -f /var/lib/apt/lists/*",
        "rm --recursive --force /var/lib/apt/lists/",
        "rm -rf -- /var/lib/apt/lists",
        "find /var/lib/apt/lists -type f -delete",
        "find /var/lib/apt/lists -mindepth 1 -exec rm -rf {} +",
    ] {
        let a = action(src);
        let Action::Remove(r) = &a else {
            panic!("{src}")
        };
        assert!(r.recursive && r.force, "{src}");
        assert_eq!(a.cleaned_locations(), [CacheLocation::AptLists], "{src}");
    }
    assert_eq!(
        action("apt-get clean").cleaned_locations(),
        [CacheLocation::AptArchives]
    );
    assert_eq!(
        action("yum clean all").cleaned_locations(),
        [CacheLocation::YumCache]
    );
    assert_eq!(
        action("npm cache clean --force").cleaned_locations(),
        [CacheLocation::NpmCache]
    );
    assert!(matches!(action("find / -name '*.pyc' -delete"), Action::Remove(r) if r.by_find));
    assert!(script("find / -name x").commands()[0].action == Action::Unknown);
}

#[test]
fn ownership_modes_links_users() {
    let Action::ChangeOwner(c) = action("chown -R app:app /app /data") else {
        panic!()
    };
    assert!(c.recursive);
    assert_eq!(c.owner.map(|o| o.text).as_deref(), Some("app:app"));
    assert_eq!(c.paths.len(), 2);
    for (src, recursive, world) in [
        ("chmod 777 /x", false, true),
        ("chmod -R 0777 /x", true, true),
        ("chmod --recursive a+rwx /x", true, true),
        ("chmod -Rv o+w /x", true, true),
        ("chmod 755 /x", false, false),
        ("chmod -x /x", false, false),
        ("chmod +x /x", false, false),
    ] {
        let Action::ChangeMode(m) = action(src) else {
            panic!()
        };
        assert_eq!((m.recursive, m.world_writable), (recursive, world), "{src}");
    }
    let Action::ChangeMode(m) = action("chmod -x /x") else {
        panic!()
    };
    assert_eq!(m.mode.map(|m| m.text).as_deref(), Some("-x"));
    let Action::Link(l) = action("ln -sf /bin/bash /bin/sh") else {
        panic!()
    };
    assert!(l.symbolic && l.force);
    assert_eq!(l.link.map(|l| l.text).as_deref(), Some("/bin/sh"));
    let Action::AddUser(u) = action("useradd -l -u 100000 -r app") else {
        panic!()
    };
    assert!(u.no_log_init && u.system);
    assert_eq!(u.uid.map(|u| u.text).as_deref(), Some("100000"));
    let Action::AddUser(u) = action("adduser -D -u 1000 -S app") else {
        panic!()
    };
    assert!(u.system && !u.no_log_init);
    let Action::AddUser(u) = action("adduser --disabled-password --gecos '' --uid 1000 app") else {
        panic!()
    };
    assert_eq!(u.name.map(|n| n.text).as_deref(), Some("app"));
    let Action::AddGroup(g) = action("groupadd --gid 1000 -r app") else {
        panic!()
    };
    assert!(g.system);
    assert_eq!(g.gid.map(|g| g.text).as_deref(), Some("1000"));
    let Action::ChangeDirectory(cd) = action("cd /app") else {
        panic!()
    };
    assert_eq!(cd.target.map(|t| t.text).as_deref(), Some("/app"));
}

#[test]
fn wrappers() {
    for (src, wrappers) in [
        ("sudo -u app -E npm ci", vec!["sudo"]),
        ("sudo --user=app npm ci", vec!["sudo"]),
        ("env -i PATH=/bin npm ci", vec!["env"]),
        ("nice -n 10 time npm ci", vec!["nice", "time"]),
        ("timeout -s KILL 300 npm ci", vec!["timeout"]),
        ("xargs -r -n1 npm ci", vec!["xargs"]),
        ("gosu app npm ci", vec!["gosu"]),
        ("su-exec app:app npm ci", vec!["su-exec"]),
        ("exec npm ci", vec!["exec"]),
        ("command npm ci", vec!["command"]),
        ("stdbuf -oL npm ci", vec!["stdbuf"]),
    ] {
        let c = first(src);
        let p = c.program.as_ref().unwrap();
        assert_eq!(p.name, "npm", "{src}");
        let got: Vec<_> = p.wrappers.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(got, wrappers, "{src}");
        assert!(matches!(c.action, Action::Package(_)), "{src}");
    }
    assert!(first("sudo apt-get update").program.unwrap().uses_sudo());
    assert_eq!(first("command -v curl").program_name(), Some("command"));
    assert_eq!(first("sudo -i").program_name(), Some("sudo"));
    assert_eq!(first("$CMD install x").program_name(), None);
    assert_eq!(first("ssh host").action, Action::OutOfPlace);
}

#[test]
fn nested_shells_are_parsed_with_exact_spans() {
    let src = r#"su -c "apt-get install -y 'vim'" root && bash -lc 'pip install x==1' && sh -c "echo \"$(id)\"""#;
    let s = script(src);
    let commands = s.commands();
    let apt = commands
        .iter()
        .find(|c| c.program_name() == Some("apt-get"))
        .unwrap();
    let Action::Package(p) = &apt.action else {
        panic!()
    };
    assert_eq!(&src[p.packages[0].span.range()], "'vim'");
    let pip = commands
        .iter()
        .find(|c| c.program_name() == Some("pip"))
        .unwrap();
    assert_eq!(&src[pip.span.range()], "pip install x==1");
    let Action::Package(p) = &pip.action else {
        panic!()
    };
    assert_eq!(&src[p.packages[0].version_span.unwrap().range()], "==1");
    // `$(id)` in the -c string is expanded by the outer shell (it is listed once, from the
    // outer word); the inner script is still parsed.
    let ids = commands
        .iter()
        .filter(|c| c.program_name() == Some("id"))
        .count();
    assert_eq!(ids, 1);
}

#[test]
fn nesting_depth_is_bounded() {
    let src = "sh -c \"sh -c 'sh -c \\\"apt-get update\\\"'\"";
    let deep = parse(src, &ParseOptions::default());
    assert!(
        !deep
            .commands()
            .iter()
            .any(|c| c.program_name() == Some("apt-get"))
    );
    let deeper = parse(
        src,
        &ParseOptions {
            max_nesting: 3,
            ..ParseOptions::default()
        },
    );
    let apt = deeper
        .commands()
        .into_iter()
        .find(|c| c.program_name() == Some("apt-get"))
        .unwrap();
    assert_eq!(&src[apt.span.range()], "apt-get update");
}

#[test]
fn shells_reading_their_script_from_stdin() {
    let src = "bash -e <<'EOF'\napt-get update\n\tapt-get install -y curl\nEOF\nsh <<-X\n\tpip install six\n\tX\nsh <<< 'apk add git'";
    let s = script(src);
    let found: Vec<(&str, bool, &str)> = s
        .commands()
        .iter()
        .filter(|c| matches!(c.action, Action::Package(_)))
        .map(|c| {
            (
                c.program_name().unwrap_or_default(),
                c.options.errexit,
                &src[c.span.range()],
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("apt-get", true, "apt-get update"),
            ("apt-get", true, "apt-get install -y curl"),
            ("pip", false, "pip install six"),
            ("apk", false, "apk add git"),
        ]
    );
    let Action::Shell(sh) = action("sh < /tmp/install.sh") else {
        panic!()
    };
    assert_eq!(
        sh.file.as_ref().map(|f| f.text.as_str()),
        Some("/tmp/install.sh")
    );
}

#[test]
fn pip_vcs_revision_before_a_fragment_with_slashes() {
    let p = package(
        "pip install 'git+https://github.com/o/r.git@v2.2#egg=x&subdirectory=a/b' git+https://github.com/o/r.git#egg=y",
    );
    let found: Vec<_> = p
        .packages
        .iter()
        .map(|a| (a.version.as_deref(), a.is_pinned()))
        .collect();
    assert_eq!(found, [(Some("v2.2"), true), (None, false)]);
}

#[test]
fn bare_yarn_installs_but_yarn_version_does_not() {
    assert_eq!(package("yarn").operation, crate::PackageOperation::Install);
    assert_eq!(
        package("yarn --frozen-lockfile").operation,
        crate::PackageOperation::Install
    );
    assert_eq!(
        package("yarn --version").operation,
        crate::PackageOperation::Other
    );
}

#[test]
fn apk_without_network_keeps_no_cache() {
    assert!(
        package("apk add --no-network --virtual .rundeps so:libc.musl-x86_64.so.1").has(F::NoCache)
    );
    assert!(!package("apk add --virtual .rundeps curl").has(F::NoCache));
}

#[test]
fn pip_project_with_extras_is_a_directory() {
    let p = package("pip install '.[dev,test]' flask");
    let kinds: Vec<_> = p.packages.iter().map(|a| (a.kind, a.is_pinned())).collect();
    assert_eq!(
        kinds,
        [
            (crate::PackageArgKind::Directory, true),
            (crate::PackageArgKind::Name, false)
        ]
    );
}
