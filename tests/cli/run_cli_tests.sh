#!/usr/bin/env bash
# End-to-end tests of the `audience` command-line tool on the CDNOW and
# rfm-r data: every subcommand, the error paths and their exit codes.
#
#   tests/cli/run_cli_tests.sh BUILD/audience /work/shared/data
#
# Counts are checked against awk over the same files (an independent
# oracle), not against numbers copied from an earlier run.
set -euo pipefail
export LC_ALL=C

if [ $# -ne 2 ]; then
  echo "usage: $0 AUDIENCE_BINARY DATA_DIR" >&2
  exit 64
fi
AUD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
DATA=$2
CDNOW=$DATA/cdnow/lifetimes/CDNOW_master.txt
RFM=$DATA/rfm-r
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

passed=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); }

# run EXPECTED_RC CMD...: runs CMD, stdout -> out, stderr -> err, checks rc.
run() {
  local want=$1; shift
  local rc=0
  "$@" >out 2>err || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "--- stdout:" >&2; cat out >&2; echo "--- stderr:" >&2; cat err >&2
    fail "exit $rc, expected $want: $*"
  fi
}
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }; }
hasre() { grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks /$2/"; }; }
same() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }

cat > cdnow.json <<'JSON'
{"format": "audience-schema", "version": 1,
 "event_types": [{"name": "purchase", "properties": [{"name": "cds"}]}]}
JSON
CDMAP=delim=ws,id=customer_id,id-type=int,type=purchase,time=date,time-format=%Y%m%d,amount=dollar_value,prop=number_of_cds=cds
NOW=1998-07-01  # after the last purchase (1998-06-30)

# ---- help and usage errors (64) ----
run 0 "$AUD" --help;           has out "Usage: audience <command>"
run 0 "$AUD" help;             has out "Exit codes"
run 0 "$AUD" help import;      has out "--map K=V"
run 0 "$AUD" import --help;    has out "--skip-bad-rows"
run 0 "$AUD" query -h;         has out "--repeat N"
run 0 "$AUD" export --help;    has out "--sql DIALECT"
run 0 "$AUD" --version;        hasre out "^audience [0-9]+\.[0-9]+\.[0-9]+$"
run 64 "$AUD";                 has err "Usage: audience"
run 64 "$AUD" frobnicate;      has err "unknown command 'frobnicate'"
run 64 "$AUD" --frob;          has err "unknown option '--frob'"
run 64 "$AUD" help nosuch;     has err "unknown command 'nosuch'"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map "$CDMAP" --bogus
has err "unknown option '--bogus'"; has err "Try 'audience import --help'."
run 64 "$AUD" import --schema cdnow.json --events "$CDNOW" --map "$CDMAP";  has err "--out STORE is required"
run 64 "$AUD" import --schema cdnow.json --out x.aud;  has err "no input"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map delim=ws,id=customer_id,time=date
has err "give exactly one of --event-type NAME and --event-type-column COL"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map "$CDMAP" --attribute a
has err "--attribute applies to --profiles, not to --events"
run 64 "$AUD" import --schema cdnow.json --out x.aud --time-column date --events "$CDNOW"
has err "--time-column must follow the file it maps (--events)"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map "$CDMAP,nope=1"
has err "unknown key 'nope'"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map "$CDMAP" --id-column x --id-column y
has err "--id-column given twice"
run 64 "$AUD" import --schema cdnow.json --out x.aud --events "$CDNOW" --map "$CDMAP" --now tomorrow
has err "--now 'tomorrow'"
[ ! -e x.aud ] || fail "a usage error wrote x.aud"
ok

# ---- import CDNOW ----
run 0 "$AUD" import --schema cdnow.json --out cdnow.aud --now $NOW --events "$CDNOW" --map "$CDMAP"
rows=$(awk 'NR > 1 && NF > 0' "$CDNOW" | wc -l)
people=$(awk 'NR > 1 && NF > 0 {print $1 + 0}' "$CDNOW" | sort -u | wc -l)
has out "$rows rows imported, 0 skipped, $people new people, $rows events"
hasre out "rows/s\)$"
[ ! -s err ] || { cat err >&2; fail "progress or noise on a non-terminal stderr"; }
[ -s cdnow.aud ] || fail "no snapshot written"
# The long flags are the same mapping as --map.
run 0 "$AUD" import --schema cdnow.json --out cdnow2.aud --now $NOW -q --events "$CDNOW" \
  --delimiter ws --id-column customer_id --id-type int --event-type purchase --time-column date \
  --time-format %Y%m%d --amount-column dollar_value --property number_of_cds=cds
[ ! -s out ] || fail "--quiet printed"
cmp -s cdnow.aud cdnow2.aud || fail "--map and long flags gave different snapshots"
ok

# ---- query: count, ids, limit, repeat ----
count() { "$AUD" query cdnow.aud "$1" --now "${2:-$NOW}"; }
oracle5=$(awk 'NR > 1 && NF > 0 {n[$1 + 0]++} END {c = 0; for (k in n) if (n[k] >= 5) c++; print c}' "$CDNOW")
same "$(count 'count(purchase) >= 5')" "$oracle5" "count(purchase) >= 5"
same "$(count 'count(purchase) >= 1')" "$people" "count(purchase) >= 1"
big=$(awk 'NR > 1 && NF > 0 {s[$1 + 0] += $4} END {c = 0; for (k in s) if (s[k] > 500) c++; print c}' "$CDNOW")
same "$(count 'sum(purchase) > 500')" "$big" "sum(purchase) > 500"
# Bought in June 1998 (within 30d of July 1st reaches back to June 1st).
june=$(awk 'NR > 1 && $2 >= 19980601 {print $1 + 0}' "$CDNOW" | sort -u | wc -l)
same "$(count 'did(purchase, within = 30d)')" "$june" "did within 30d"
# Every --now spelling names the same instant.
for t in '1998-07-01 00:00:00' '1998-07-01T00:00:00Z' 899251200 '1998-07-01T02:00:00+02:00'; do
  same "$(count 'did(purchase, within = 30d)' "$t")" "$june" "--now '$t'"
done
same "$(count 'did(purchase, within = 30d)' 1998-06-16)" \
  "$(awk 'NR > 1 && $2 >= 19980517 && $2 <= 19980616 {print $1 + 0}' "$CDNOW" | sort -u | wc -l)" \
  "did within 30d as of 1998-06-16"

run 0 "$AUD" query cdnow.aud 'count(purchase) >= 5' --ids --now $NOW
same "$(wc -l < out)" "$oracle5" "--ids line count"
awk 'NR > 1 && NF > 0 {n[$1 + 0]++} END {for (k in n) if (n[k] >= 5) print k}' "$CDNOW" | sort -n > want_ids
sort -n out | cmp -s - want_ids || fail "--ids is not the set of people with >= 5 purchases"
head -7 out > first7
run 0 "$AUD" query cdnow.aud 'count(purchase) >= 5' --ids --limit 7 --now $NOW
cmp -s out first7 || fail "--ids --limit 7 is not the first 7 of --ids"
run 0 "$AUD" query cdnow.aud 'count(purchase) >= 5' --ids --limit 0 --now $NOW
[ ! -s out ] || fail "--limit 0 printed ids"

run 0 "$AUD" query cdnow.aud 'count(purchase) >= 5' --now $NOW --repeat 20
same "$(sed -n 1p out)" "$oracle5" "--repeat keeps the result first"
hasre out "^compile [0-9]+\.[0-9]{3} ms$"
hasre out "^median [0-9]+\.[0-9]{3} ms over 20 runs$"
same "$(wc -l < out)" 3 "--repeat output lines"
run 0 "$AUD" query cdnow.aud 'sum(purchase, within = 90d) > 100' --ids --limit 3 --now $NOW --repeat 5
same "$(wc -l < out)" 5 "--ids --limit 3 --repeat 5 output lines"
hasre out "^median [0-9.]+ ms over 5 runs$"
ok

# ---- explain, why ----
q='count(purchase) >= 5 AND NOT did(purchase, within = 180d)'
n=$(count "$q")
run 0 "$AUD" query cdnow.aud "$q" --explain --now $NOW
has out "result $n people"
has out "and-not"
# Customer 1 bought once (1997-01-01): not in; the first --ids person is in.
run 0 "$AUD" query cdnow.aud "$q" --why 1 --now $NOW
hasre out "^\[no \] AND"
has out "amount sum 11.77"
member=$("$AUD" query cdnow.aud "$q" --ids --limit 1 --now $NOW)
run 0 "$AUD" query cdnow.aud "$q" --why "$member" --now $NOW
hasre out "^\[yes\] AND"
run 0 "$AUD" query cdnow.aud "$q" --why 00001 --now $NOW   # an integer id, leading zeros
hasre out "^\[no \] AND"
run 1 "$AUD" query cdnow.aud "$q" --why 99999999 --now $NOW
has err "no person with id '99999999'"
ok

# ---- query errors ----
run 2 "$AUD" query cdnow.aud 'count(purchse) >= 5 AND foo:bar' --now $NOW
has err "unknown event type 'purchse'"
has err "did you mean 'purchase'?"
has err "^^^^^^^"
has err "unknown dimension 'foo'"
[ ! -s out ] || fail "a query error printed a result"
run 2 "$AUD" query cdnow.aud 'count(purchase) >=' --now $NOW
run 64 "$AUD" query cdnow.aud;                                has err "expected STORE and 'QUERY'"
run 64 "$AUD" query cdnow.aud 'x' 'y';                        has err "unexpected argument 'y'"
run 64 "$AUD" query cdnow.aud 'x' --ids --explain;             has err "at most one of"
run 64 "$AUD" query cdnow.aud 'x' --limit 3;                   has err "--limit needs --ids"
run 64 "$AUD" query cdnow.aud 'x' --ids --limit -1;            has err "--limit '-1'"
run 64 "$AUD" query cdnow.aud 'x' --repeat 0;                  has err "--repeat '0'"
run 64 "$AUD" query cdnow.aud 'x' --explain --repeat 3;        has err "--repeat works with"
run 64 "$AUD" query cdnow.aud 'x' --why;                       has err "--why needs a value"
run 64 "$AUD" query cdnow.aud 'x' --count=yes;                 has err "--count takes no value"
run 1 "$AUD" query missing.aud 'x';                            has err "missing.aud"
printf 'not a snapshot' > corrupt.aud
run 1 "$AUD" query corrupt.aud 'x';                            has err "corrupt.aud"
head -c 1000 cdnow.aud > truncated.aud
run 1 "$AUD" query truncated.aud 'count(purchase) >= 1'
ok

# ---- import data errors (3) and runtime errors (1) ----
printf 'customer_id date amount\n1 19970101 3.5\n2 1997x101 4\n3 19970105 abc\n4 19970106 1\n' > bad.txt
BADMAP=delim=ws,id=customer_id,id-type=int,type=purchase,time=date,time-format=%Y%m%d,amount=amount
run 3 "$AUD" import --schema cdnow.json --out bad.aud --now $NOW --events bad.txt --map $BADMAP
has err "2 bad rows of 4"
has err "line 3, column 3 (field 'date'): time '1997x101' does not match format '%Y%m%d'"
has err "line 4, column 12 (field 'amount'): expected a number, got 'abc'"
has err "nothing written to bad.aud"
[ ! -e bad.aud ] || fail "a rejected import wrote bad.aud"
# A good file first, then a bad one: still nothing written.
run 3 "$AUD" import --schema cdnow.json --out bad.aud --now $NOW --events "$CDNOW" --map "$CDMAP" \
  --events bad.txt --map $BADMAP
[ ! -e bad.aud ] || fail "a rejected second file wrote bad.aud"
run 0 "$AUD" import --schema cdnow.json --out bad.aud --now $NOW --skip-bad-rows --events bad.txt --map $BADMAP
has out "2 rows imported, 2 skipped"
has err "skipped line 3, column 3 (field 'date')"
same "$("$AUD" query bad.aud 'count(purchase) >= 1' --now $NOW --ids | tr '\n' ' ')" "1 4 " "--skip-bad-rows kept rows"
run 3 "$AUD" import --schema cdnow.json --out bad.aud --events bad.txt --map delim=ws,id=customer_id,type=purchase,time=datum
has err "time column 'datum' is not in the header (columns: customer_id, date, amount)"
printf '{"format": "audience-schema", "version": 1, "dimensions": [{"name": "x", "kind": "exclusiv"}]}' > badschema.json
run 3 "$AUD" import --schema badschema.json --out bad.aud --events bad.txt --map $BADMAP
has err "dimensions[0].kind: unknown kind 'exclusiv'"
run 1 "$AUD" import --schema nosuch.json --out bad.aud --events bad.txt --map $BADMAP
run 1 "$AUD" import --schema cdnow.json --out bad.aud --events nosuch.txt --map $BADMAP
has err "nosuch.txt"
run 1 "$AUD" import --schema cdnow.json --out nodir/sub/x.aud --events bad.txt --map $BADMAP --skip-bad-rows
ok

# ---- profiles, tags and events from rfm-r (CSV with quotes, string ids) ----
cat > rfm.json <<'JSON'
{"format": "audience-schema", "version": 1,
 "dimensions": [{"name": "last_name"}, {"name": "segment"}],
 "attributes": [{"name": "revenue", "type": "int64"},
                {"name": "most_recent_visit", "type": "timestamp"},
                {"name": "orders", "type": "int64"}],
 "event_types": [{"name": "order"}]}
JSON
printf 'who;label\n22086;vip\n2290;vip\n2290;lapsed\n' > labels.csv
run 0 "$AUD" import --schema rfm.json --out rfm.aud --now 2007-01-01 --id-column customer_id \
  --profiles "$RFM/rfm_data_customer.csv" --attribute revenue --attribute most_recent_visit \
    --attribute number_of_orders=orders --tag-column last_name \
  --events "$RFM/rfm_data_orders.csv" --event-type order --time-column order_date --amount-column revenue \
  --tags labels.csv --map id=who,delim=\;,dim=segment,value=label
rich=$(awk -F, 'NR > 1 && $2 > 1000 && $4 >= 10' "$RFM/rfm_data_customer.csv" | wc -l)
same "$("$AUD" query rfm.aud 'revenue > 1000 AND orders >= 10' --now 2007-01-01)" "$rich" "rfm revenue/orders"
recent=$(awk -F, 'NR > 1 && $3 >= "2006-06-01"' "$RFM/rfm_data_customer.csv" | wc -l)
same "$("$AUD" query rfm.aud "most_recent_visit >= '2006-06-01'" --now 2007-01-01)" "$recent" "rfm recent"
same "$("$AUD" query rfm.aud 'segment:vip' --now 2007-01-01 --ids | sort | tr '\n' ' ')" "22086 2290 " "tags file"
run 0 "$AUD" query rfm.aud 'last_name:Erie' --why 22086 --now 2007-01-01
has out "[yes] last_name:'Erie'"
ok

# ---- rfm and models (results saved into the snapshot, then queried) ----
run 0 "$AUD" rfm rfm.aud --event-type order --now 2006-12-31 --method r-package --preset r-package
has out "995 customers scored"; has out "no earlier run"
hasre out "^champions +158 "
same "$("$AUD" query rfm.aud 'rfm.segment:champions' --now 2006-12-31)" "158" "rfm champions saved"
run 0 "$AUD" rfm rfm.aud --event-type order --now 2007-06-30 --window 365d --method r-package \
  --preset r-package
has out "moves since the last run"
same "$("$AUD" query rfm.aud 'rfm.segment_previous:champions' --now 2007-06-30)" "158" "previous run kept"
run 3 "$AUD" rfm rfm.aud --event-type nosuch;   has err "unknown event type 'nosuch'"
run 64 "$AUD" rfm rfm.aud --preset nosuch;      has err "--preset 'nosuch': expected one of"
# ---- report (a page of the store just scored; numbers checked in a browser by report_test) ----
run 0 "$AUD" report rfm.aud --out report.html --now 2007-06-30 --title "rfm-r <sample>"
has out "RFM grid 5x5"; grep -q 'id="report-data"' report.html || fail "report has no data"
grep -q 'rfm-r &lt;sample&gt;' report.html || fail "report title not escaped"
! grep -qi 'src="http\|href="http' report.html || fail "report loads something from the network"
run 64 "$AUD" report rfm.aud;                   has err "--out FILE is required"
run 64 "$AUD" report rfm.aud --out r.html --bogus; has err "unknown option '--bogus'"
run 1 "$AUD" report nosuch.aud --out r.html;    has err "nosuch.aud"
run 1 "$AUD" report rfm.aud --out r.html --history nosuch.hist;  has err "nosuch.hist"
run 0 "$AUD" help report;                       has out "--history FILE"
run 64 "$AUD" rfm;                              has err "expected STORE"
run 0 "$AUD" rfm --help;                        has out "--preset NAME"
run 0 "$AUD" models cdnow.aud --now 1997-09-30 --horizon 39
has out "BG/NBD"; hasre out "^  alpha +[0-9]+\.[0-9]{4}$"; has out "Gamma-Gamma"
has out "attributes written: p_alive, expected_purchases (next 39 weeks), expected_spend, clv,"
buyers=$(awk 'NR > 1 && $2 <= 19970930 {print $1}' "$CDNOW" | sort -u | wc -l)
same "$("$AUD" query cdnow.aud 'p_alive >= 0' --now 1997-09-30)" "$buyers" "models p_alive saved"
run 3 "$AUD" models cdnow.aud --now 1990-01-01; has err "nothing to fit"
run 64 "$AUD" models cdnow.aud --unit month;    has err "--unit 'month': expected one of week, day"
run 1 "$AUD" models nosuch.aud;                 has err "nosuch.aud"
# Pareto/NBD on the CDNOW sample (2357 customers, weeks, calibration to 1997-09-30):
# the published r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL -9594.98.
SAMPLE=$DATA/cdnow/lifetimes/CDNOW_sample.txt  # master id, sample id, date, CDs, dollars
run 0 "$AUD" import --schema cdnow.json --out sample.aud --now $NOW --events "$SAMPLE" \
  --map delim=ws,no-header,id=2,id-type=int,type=purchase,time=3,time-format=%Y%m%d,amount=5
run 0 "$AUD" models sample.aud --fit pareto --calibration-end 1997-09-30 --horizon 39
has out "Pareto/NBD"; hasre out "^  r +0\.553[0-9]$"; hasre out "^  alpha +10\.57[5-9][0-9]$"
hasre out "^  s +0\.606[0-9]$"; hasre out "^  beta +11\.66[5-9][0-9]$"
hasre out "^  log-likelihood +-9594\.98$"; hasre out "^  customers fitted +2357$"
! grep -q "Gamma-Gamma\|BG/NBD" out || fail "--fit pareto fitted other models"
has out "attributes written: p_alive, expected_purchases (next 39 weeks), models_computed_at"
same "$("$AUD" query sample.aud 'p_alive >= 0' --now 1997-09-30)" "2357" "pareto p_alive saved"
run 2 "$AUD" query sample.aud 'clv >= 0' --now 1997-09-30  # not written without Gamma-Gamma
# Repeat buyers with positive repeat spend (same-day purchases merged), by awk.
repeaters=$(awk '$3 <= 19970930 { s[$2" "$3] += $5 } END { for (k in s) print k, s[k] }' "$SAMPLE" |
  sort -k1,1n -k2,2n | awk '$1 != c { c = $1; next } { rep[c] += $3 }
  END { for (k in rep) if (rep[k] > 0) n++; print n }')
run 0 "$AUD" models sample.aud --fit pareto,gg --calibration-end 1997-09-30
hasre out "^  r +0\.553[0-9]$"; hasre out "^  p +6\.2[45][0-9]{2}$"; hasre out "^  q +3\.74[0-9]{2}$"
hasre out "^  gamma +15\.44[0-9]{2}$"; hasre out "^  customers fitted +$repeaters$"
cp out pareto_gg.out
run 0 "$AUD" models sample.aud --fit gg --fit=pareto --now 1997-09-30  # repeated; --now alias
cmp -s out pareto_gg.out || fail "--fit gg --fit pareto differs from --fit pareto,gg"
same "$("$AUD" query sample.aud 'clv > 0' --now 1997-09-30)" "2357" "pareto clv saved"
run 0 "$AUD" models sample.aud --fit gg --calibration-end 1997-09-30
has out "attributes written: expected_spend, models_computed_at"; ! grep -q "P(alive)" out || fail "gg only printed P(alive)"
run 3 "$AUD" models sample.aud --fit gg --calibration-end 1997-01-02;  has err "Gamma-Gamma could not be fitted"
run 64 "$AUD" models sample.aud --fit nbd;      has err "--fit 'nbd': expected one of bgnbd, pareto, gg"
run 64 "$AUD" models sample.aud --fit pareto,;  has err "--fit 'pareto,': expected one of"
run 64 "$AUD" models sample.aud --fit bgnbd,pareto;  has err "choose one"
run 64 "$AUD" models sample.aud --fit;          has err "--fit needs a value"
run 64 "$AUD" models sample.aud --calibration-end soon;  has err "--calibration-end 'soon': expected"
run 0 "$AUD" models --help;                     has out "--fit MODELS"
ok

# ---- lifecycle (stages saved, then queried; counts from awk over the purchases) ----
# Last purchase per customer up to a date (YYYYMMDD), e.g. last_by 19970930.
last_by() { awk -v d="$1" 'NR > 1 && NF > 0 && $2 <= d { if ($2 > m[$1]) m[$1] = $2 }
  END { for (c in m) print c, m[c] }' "$CDNOW"; }
cp cdnow.aud life.aud  # the change events would upset the export counts below
run 0 "$AUD" lifecycle life.aud --now 1997-09-30
has out "no earlier run"; hasre out "^churned +[0-9]+ "
churned=$(last_by 19970930 | awk '$2 < 19970702' | wc -l)
active=$(last_by 19970930 | awk '$2 >= 19970831' | wc -l)
same "$("$AUD" query life.aud 'lifecycle:churned' --now 1997-09-30)" "$churned" "lifecycle churned"
same "$("$AUD" query life.aud 'lifecycle:active' --now 1997-09-30)" "$active" "lifecycle active"
run 0 "$AUD" lifecycle life.aud --now 1997-12-31
has out "moves since the last run"
# Reactivated: dormant or churned on 1997-09-30 (no purchase from 08-31), active on 12-31.
back=$(join <(last_by 19970930 | awk '$2 < 19970831' | sort) \
            <(last_by 19971231 | awk '$2 >= 19971201' | sort) | wc -l)
same "$("$AUD" query life.aud 'lifecycle:reactivated' --now 1997-12-31)" "$back" "lifecycle reactivated"
same "$("$AUD" query life.aud "did(lifecycle.change, to_stage = 'reactivated')" --now 1997-12-31)" \
  "$back" "lifecycle change events"
same "$("$AUD" query life.aud 'lifecycle.previous:dormant AND lifecycle:churned AND lifecycle.entered_at >= now - 1d' --now 1997-12-31)" \
  "$(join <(last_by 19970930 | awk '$2 >= 19970702 && $2 < 19970831' | sort) \
          <(last_by 19971231 | awk '$2 < 19971002' | sort) | wc -l)" "dormant -> churned"
cat > club.json <<'JSON'
{"name": "club", "rules": [{"stage": "big", "condition": "sum(purchase) >= 100"}],
 "default": "small"}
JSON
run 0 "$AUD" lifecycle life.aud --model club.json --now 1997-12-31
big=$(awk 'NR > 1 && NF > 0 && $2 <= 19971231 { s[$1] += $4 } END { for (c in s) if (s[c] >= 100) n++; print n }' "$CDNOW")
same "$("$AUD" query life.aud 'club:big' --now 1997-12-31)" "$big" "model file stages"
echo '{"name": "club", "rules": [{"stage": "x", "condition": "nosuch > 1"}]}' > bad.json
run 3 "$AUD" lifecycle life.aud --model bad.json --now 1997-12-31; has err "rule 1 (stage 'x')"
echo '{"name": "club", "rulez": []}' > bad2.json
run 3 "$AUD" lifecycle life.aud --model bad2.json; has err "rulez: unknown key"
echo '{"name": ' > bad3.json
run 3 "$AUD" lifecycle life.aud --model bad3.json; has err "bad3.json: [json.exception.parse_error"
run 64 "$AUD" lifecycle life.aud --preset nosuch; has err "--preset 'nosuch': expected one of"
run 0 "$AUD" lifecycle --help;                     has out "--model FILE"
ok

# ---- export ----
run 0 "$AUD" export cdnow.aud --sql sqlite --out sql --now $NOW
has out "load with sqlite"
for d in sqlite duckdb postgres clickhouse; do
  [ -s "sql/tables.$d.sql" ] || fail "export did not write tables.$d.sql"
  [ -e "sql/segments.$d.sql" ] || fail "export did not write segments.$d.sql"
done
[ "$(head -1 sql/person_tags.csv)" = "person_id,dimension,value,expires_at" ] || fail "person_tags.csv header"
same "$(($(wc -l < sql/events.csv) - 1))" "$rows" "exported events"
same "$(($(wc -l < sql/profiles.csv) - 1))" "$people" "exported profiles"
run 0 "$AUD" export cdnow.aud --sql=postgresql --out sql2 --now $NOW;  has out "psql"
run 64 "$AUD" export cdnow.aud --sql oracle --out sql3;  has err "--sql 'oracle'"
run 64 "$AUD" export cdnow.aud --out sql3;               has err "--sql DIALECT is required"
run 64 "$AUD" export --sql sqlite --out sql3;            has err "expected STORE"
run 1 "$AUD" export corrupt.aud --sql sqlite --out sql3
[ ! -e sql3 ] || fail "a failed export created its directory"
ok

echo "cli tests: $passed groups passed"
