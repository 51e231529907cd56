"""The container image (Dockerfile, .dockerignore), checked as far as a
machine without a container engine allows: no image is built here.

What is checked: the runtime stage installs exactly the Debian packages
that own the shared libraries the binary loads (the same script, run here on
the binary built here, must map every library `ldd` shows to an installed
Debian 12 package), the build stage installs every library the product links,
the build context keeps what the build needs and CMake configures from it,
and the image's user, entrypoint and paths are what deploy/ expects."""

import fnmatch
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from deploy_helpers import DEPLOY
from harness import REPO, Kubevents

SCRIPT = DEPLOY / "image" / "runtime-packages.sh"


def stages():
    """The Dockerfile's stages: a list of (FROM line, [instructions]), with
    continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            out.append((line, []))
        else:
            assert out, f"instruction before FROM: {line}"
            out[-1][1].append(re.sub(r"\s+", " ", line))
    return out


def ldd_libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>":
            libs.append(parts[2])
        elif parts and parts[0].startswith("/"):
            libs.append(parts[0])
    return libs


def owners(paths):
    """{library path: Debian package owning it, or None}. dpkg knows each
    file by the spelling its package ships (merged /usr: /lib or /usr/lib,
    or the symlink's target), so every spelling is asked, in one dpkg call."""
    spellings = {p: [p, os.path.realpath(p), "/usr" + p, p.removeprefix("/usr")] for p in paths}
    asked = sorted({s for v in spellings.values() for s in v})
    out = subprocess.run(["dpkg", "-S", *asked], capture_output=True, text=True).stdout
    by_file = {}
    for line in out.splitlines():
        pkgs, _, file = line.partition(": ")
        if file and not line.startswith("diversion"):
            by_file[file] = pkgs.split(",")[0].split(":")[0].strip()
    return {p: next((by_file[s] for s in v if s in by_file), None) for p, v in spellings.items()}


@pytest.fixture(scope="module")
def debian12():
    release = pathlib.Path("/etc/os-release").read_text()
    if 'VERSION_ID="12"' not in release or "debian" not in release.lower():
        pytest.skip("the image is Debian 12: its packages can only be checked against a Debian 12 system")


def test_runtime_packages_own_every_library_the_binary_loads(debian12):
    binary = Kubevents.binary()
    res = subprocess.run([str(SCRIPT), binary], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    listed = set(res.stdout.split())
    libs = ldd_libraries(binary)
    assert len(libs) > 5
    found = owners(libs)
    assert None not in found.values(), found
    assert set(found.values()) == listed
    for pkg in listed:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True).stdout
        assert status == "install ok installed", (pkg, status)
    # The libraries the product links directly are among them.
    assert {"libcurl4", "libssl3", "libyaml-cpp0.7", "libre2-9", "libsimdjson14", "libc6"} <= listed


def test_runtime_packages_fail_on_a_library_no_package_owns(debian12, tmp_path):
    # The same binary, but one of its libraries comes from a folder no
    # package owns: the script must refuse rather than leave it out.
    lib = next(p for p in ldd_libraries(Kubevents.binary()) if "libfmt" in p or "libyaml-cpp" in p)
    shutil.copy(lib, tmp_path / os.path.basename(lib))
    res = subprocess.run([str(SCRIPT), Kubevents.binary()], capture_output=True, text=True,
                         env={**os.environ, "LD_LIBRARY_PATH": str(tmp_path)})
    assert res.returncode != 0
    assert str(tmp_path) in res.stderr


def test_runtime_stage_installs_what_the_build_stage_found():
    (build_from, build), (run_from, run) = stages()
    assert build_from == "FROM debian:12 AS build"
    assert run_from == "FROM debian:12-slim"
    assert any(i.startswith("RUN deploy/image/runtime-packages.sh /build/src/kubevents >/build/runtime-packages")
               for i in build)
    assert "COPY --from=build /build/runtime-packages /tmp/runtime-packages" in run
    install = [i for i in run if "apt-get install" in i]
    assert len(install) == 1 and "xargs -a /tmp/runtime-packages apt-get install" in install[0]
    assert "--no-install-recommends" in install[0]
    assert "COPY --from=build /build/src/kubevents /usr/local/bin/kubevents" in run
    assert "USER 65532:65532" in run
    assert 'ENTRYPOINT ["/usr/local/bin/kubevents", "run"]' in run
    # The data dir the Deployment mounts exists and belongs to that user.
    assert any("install -d -o 65532 -g 65532" in i and "/var/lib/kubevents" in i for i in run)
    # No compiler or -dev package in the runtime stage.
    assert not re.search(r"-dev\b|build-essential|cmake", " ".join(run))


def test_build_stage_installs_every_library_the_product_links():
    text = (REPO / "scripts/install-deps.sh").read_text()
    group = re.search(r"# libraries the product links\n(.*?)\n\s*#", text, re.S).group(1)
    wanted = set(group.split())
    (_, build), _ = stages()
    apt = " ".join(i for i in build if "apt-get install" in i)
    missing = sorted(p for p in wanted if not re.search(rf"(^|\s){re.escape(p)}(\s|$)", apt))
    assert not missing, f"install-deps.sh links these, the Dockerfile's build stage lacks them: {missing}"
    cmake = " ".join(i for i in build if "cmake " in i)
    assert "-DKUBEVENTS_TESTS=OFF" in cmake and "-DKUBEVENTS_BENCH=OFF" in cmake


def dockerignore_patterns():
    out = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert not line.startswith("!"), "exceptions are not modelled by this test"
            out.append(line.rstrip("/"))
    return out


def ignored(rel, patterns):
    """Docker's rule, for the patterns used here: a path is left out when a
    pattern matches it or one of its parent folders; `**/` matches any
    number of folders."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for p in patterns:
        if p.startswith("**/"):
            if any(fnmatch.fnmatchcase(part, p[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(pre, p) and pre.count("/") == p.count("/") for pre in prefixes):
            return True
    return False


def test_build_context_configures(tmp_path):
    """Copies what `docker build .` would send (per .dockerignore) and runs
    the build stage's CMake configure step on it."""
    patterns = dockerignore_patterns()
    ctx = tmp_path / "ctx"
    for root, dirs, files in os.walk(REPO):
        rel_root = os.path.relpath(root, REPO)
        rel_root = "" if rel_root == "." else rel_root + "/"
        dirs[:] = [d for d in dirs if not ignored(rel_root + d, patterns)]
        for f in files:
            rel = rel_root + f
            if not ignored(rel, patterns):
                (ctx / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(os.path.join(root, f), ctx / rel, follow_symlinks=False)
    assert (ctx / "deploy/image/runtime-packages.sh").is_file()
    assert (ctx / "CMakeLists.txt").is_file() and (ctx / "src").is_dir()
    for gone in ("build", "tests", ".git", "bench"):
        assert not (ctx / gone).exists(), gone
    (_, build), _ = stages()
    cmake = next(i for i in build if i.startswith("RUN cmake "))
    flags = re.findall(r"-D\S+", cmake.split("&&")[0])
    res = subprocess.run(["cmake", "-S", str(ctx), "-B", str(tmp_path / "build"), "-G", "Ninja", *flags],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
