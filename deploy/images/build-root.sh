#!/usr/bin/env bash
# Builds the filesystem that Jib lays over `scratch` for Herald's images, from this machine's JDK,
# with no registry and no Docker daemon:
#   /opt/java                  a jlink'd Java runtime (the modules the services need)
#   /lib/x86_64-linux-gnu, /lib64   the shared libraries that runtime and the JNI libraries in the
#                              services' jars (RocksDB, zstd, snappy, lz4) link against, found by ldd
#   /etc/passwd, /etc/group, /etc/nsswitch.conf   user 65532 (herald) and name resolution
#   /tmp (777: Jib sets no sticky bit), /var/lib/herald (working dir, writable)
# Usage: build-root.sh OUTPUT_DIR   (called by the root pom's -Pimages profile)
set -euo pipefail

out=${1:?usage: build-root.sh OUTPUT_DIR}
java_home=${HERALD_IMAGE_JDK:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,\
java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,\
java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.crypto.cryptoki,\
jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,\
jdk.security.auth,jdk.unsupported,jdk.zipfs

if [ ! -d "$java_home/jmods" ]; then
  echo "build-root.sh: $java_home has no jmods/ (Debian: apt-get install openjdk-17-jmods)" >&2
  exit 1
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "build-root.sh: only x86_64 hosts are supported (the image is linux/amd64)" >&2
  exit 1
fi

stamp="$out.stamp"
want="$java_home $modules $(sha256sum "$0" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$out/opt/java/bin/java" ]; then
  echo "build-root.sh: $out is up to date"
  exit 0
fi
rm -rf "$out" "$stamp"
mkdir -p "$out/opt" "$out/lib/x86_64-linux-gnu" "$out/lib64" "$out/etc" "$out/tmp" \
  "$out/var/lib/herald"

"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$out/opt/java"

# Debian's JDK keeps the CA certificates outside the JDK (a symlink into /etc/ssl): copy the file.
sec="$out/opt/java/lib/security"
for f in cacerts blocked.certs default.policy public_suffix_list.dat; do
  if [ ! -s "$sec/$f" ] && [ -e "$java_home/lib/security/$f" ]; then
    rm -f "$sec/$f"
    cp -L "$java_home/lib/security/$f" "$sec/$f"
  fi
done

# Libraries: what the runtime links against (the desktop/AWT libraries are never loaded by a
# headless server and are left out), plus what the JNI libraries inside the jars need.
desktop='libawt_xawt.so|libjawt.so|libsplashscreen.so|libfontmanager.so|libjavajpeg.so|liblcms.so|libmlib_image.so|libjsound.so|libawt.so|libawt_headless.so'
objects=$(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) | grep -Ev "/($desktop)$")
extra="libstdc++.so.6 libgcc_s.so.1 libpthread.so.0 librt.so.1 libdl.so.2 libm.so.6 libz.so.1 libc.so.6"
libs=$( { for o in $objects; do ldd "$o" 2>/dev/null || true; done
          for l in $extra; do ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ {print "x => " $NF; exit}'; done
        } | awk '/=> \// {print $3} /^\t\/lib64\// {print $1}' | sort -u)
for l in $libs; do
  case "$l" in
    "$out"/*) ;;                                        # the runtime's own libraries
    /lib64/*) cp -L "$l" "$out/lib64/" ;;
    *) cp -L "$l" "$out/lib/x86_64-linux-gnu/" ;;
  esac
done
# A second pass: dependencies of the copied libraries themselves (libstdc++ -> libgcc_s etc.).
for l in "$out"/lib/x86_64-linux-gnu/*; do
  ldd "$l" 2>/dev/null | awk '/=> \// {print $3}' | while read -r dep; do
    [ -e "$out/lib/x86_64-linux-gnu/$(basename "$dep")" ] || cp -L "$dep" "$out/lib/x86_64-linux-gnu/"
  done
done
[ -e "$out/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"

cat > "$out/etc/passwd" <<'PW'
root:x:0:0:root:/root:/sbin/nologin
herald:x:65532:65532:herald:/var/lib/herald:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PW
cat > "$out/etc/group" <<'GR'
root:x:0:
herald:x:65532:
nobody:x:65534:
GR
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
# Licence texts of the copied libraries travel with them.
mkdir -p "$out/usr/share/doc"
for pkg in libc6 libstdc++6 libgcc-s1 zlib1g; do
  [ -f "/usr/share/doc/$pkg/copyright" ] && mkdir -p "$out/usr/share/doc/$pkg" \
    && cp "/usr/share/doc/$pkg/copyright" "$out/usr/share/doc/$pkg/"
done

echo "$want" > "$stamp"
echo "build-root.sh: $(du -sh "$out" | cut -f1) in $out ($(ls "$out/lib/x86_64-linux-gnu" | wc -l) libraries)"
