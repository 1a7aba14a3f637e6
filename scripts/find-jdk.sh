# Sourced by Vitesse scripts: exports JAVA_HOME pointing at a JDK >= 25, or exits with a clear message.
# Order: $JAVA_HOME, then /usr/lib/jvm/temurin-25-jdk-amd64, then any /usr/lib/jvm/* that is >= 25.
vitesse_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}
vitesse_find_jdk() {
  local cand major
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    major=$(vitesse_jdk_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$cand"
      return 0
    fi
  done
  echo "vitesse: no JDK >= 25 found (checked \$JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/*)." >&2
  echo "vitesse: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
