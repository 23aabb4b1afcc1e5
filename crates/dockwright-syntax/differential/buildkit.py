"""Differential check of dockwright's parser against BuildKit's own (Go, through PyPI's
`dockerfile` binding, BuildKit v0.12.5): random Dockerfile-like files must be accepted or
rejected alike, with the same instruction lines, flags, arguments and exec form.

usage: python differential/buildkit.py DOCKWRIGHT_BINARY [SEED] [COUNT]
(run it in a venv with `pip install dockerfile`)

Files where a JSON array is followed by more text are skipped: v0.12.5 decoded only the
array's prefix (json.Decoder); current BuildKit, which dockwright follows, requires the whole
text to be JSON and otherwise uses the shell form. ENV/LABEL separators (added after v0.12.5)
are dropped before comparing.
"""
import dockerfile, json, random, re, subprocess, sys, os, tempfile
binary = sys.argv[1]
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
KW = ["FROM","RUN","CMD","LABEL","MAINTAINER","EXPOSE","ENV","ADD","COPY","ENTRYPOINT","VOLUME","USER","WORKDIR","ARG","ONBUILD","STOPSIGNAL","HEALTHCHECK","SHELL","FOO"]
WORDS = ["a","b=c","'x y'",'"p q"',"--from=x","--mount=type=cache,target=/x","[\"a\", \"b\"]","[\"a\"]","[1]","<<EOF","<<-'X'","2<<EOF","\\\\","é","=","$V","${V:-x}","'",'"',"[","]","{","}","\\","\t","CMD","NONE","--","-- x","AS","x=\"1 2\""]
BODY = ["EOF","\tX","X","echo hi","  \\","","# c"]
def gen():
    out=[]
    if random.random()<0.2: out.append(random.choice(["# escape=`","# syntax=x","# escape=\\","#escape = `"]))
    for _ in range(random.randint(1,10)):
        r=random.random()
        if r<0.6:
            k=random.choice(KW); k = k.lower() if random.random()<0.2 else k
            line=k+"".join(" "+random.choice(WORDS) for _ in range(random.randint(0,4)))
            if random.random()<0.2: line+=" "+random.choice(["\\","`"])
            out.append(line)
        elif r<0.7: out.append(random.choice(["# comment","  # c",""]))
        elif r<0.8: out.append(random.choice(["  ","\t"," \\"]))
        else: out.append(random.choice(BODY))
    eol = "\r\n" if random.random()<0.2 else "\n"
    s=eol.join(out)
    if random.random()<0.7: s+=eol
    return s
compared=0; mism=0; n=int(sys.argv[3]) if len(sys.argv)>3 else 500
workdir=tempfile.mkdtemp(prefix="dw-diff-")
for i in range(n):
    s=gen(); p=os.path.join(workdir,"Dockerfile"); open(p,"w").write(s)
    if re.search(r'(\]|\[1\]|"\])\s+\S', s) and '[' in s: continue
    compared+=1
    try:
        cmds=dockerfile.parse_file(p); ok=True
    except Exception as e:
        ok=False; err=str(e)
    r=subprocess.run([binary,"debug","parse","--format","json",p],capture_output=True)
    ours_ok = r.returncode==0
    if ok!=ours_ok:
        mism+=1; print("ACCEPT MISMATCH bk=%s ours=%s %r\n  %s %s"%(ok,ours_ok,s, err if not ok else "", r.stderr.decode()[:200])); continue
    if not ok: continue
    tree=json.loads(r.stdout)
    ours=[]
    for it in tree["items"]:
        if it["type"]!="instruction": continue
        c = it["triggers"][0] if it.get("triggers") else it
        if it.get("triggers"): c = dict(c, flags=it["flags"])
        vals=[a["text"] for a in c["arguments"]]
        if c["kind"] in ("env","label"): vals=[v for j,v in enumerate(vals) if j%3!=2]
        ours.append((it["start_line"],it["end_line"],[f["name"]+("="+f["value"] if f["value"] is not None else "") for f in c["flags"]],vals,c["json"]))
    theirs=[(c.start_line,c.end_line,[f[2:] if f.startswith("--") else f for f in c.flags],list(c.value),c.json) for c in cmds]
    if ours!=theirs:
        mism+=1; print("DIFF %r\n ours  %s\n theirs %s"%(s,ours,theirs))
print("differential: %d compared, %d generated, %d mismatches" % (compared, n, mism))
sys.exit(1 if mism else 0)
