#!/usr/bin/env bash
# Runs `zig build memory-test` against every leak mutant and prints mutant -> failing test -> reported leak.
# Exit 0 only when every mutant fails the memory suite (a mutant that passes is a hole in the suite).
set -uo pipefail
cd "$(dirname "$0")/.."
mutants=(result-buffer losing-candidates vips-unref error-message file-descriptor)
logs=${LOGDIR:-$(mktemp -d)}
holes=0
printf '%-18s %-8s %s\n' MUTANT OUTCOME "FAILING TEST: REPORTED LEAK"
for m in "${mutants[@]}"; do
    log="$logs/$m.log"
    if scripts/zig build memory-test -Dleak-mutant="$m" >"$log" 2>&1; then
        printf '%-18s %-8s %s\n' "$m" PASSED "(not caught: the memory suite has a hole)"
        holes=$((holes + 1))
        continue
    fi
    failing=$(grep -oE "'memory_test\.test\.[^']+' failed" "$log" | head -1 | sed -E "s/'memory_test\.test\.([^']+)' failed/\1/")
    reported=$( (grep -E "still holds|not back to baseline" "$log"; grep -E "leaked" "$log") | head -1 | sed -E 's/^[[:space:]]+//; s/^error: .* failed: //')
    printf '%-18s %-8s %s: %s\n' "$m" CAUGHT "${failing:-?}" "${reported:-see $log}"
done
echo "logs: $logs"
exit $holes
