#!/bin/sh
# An external generator for bench in plain sh + awk (README "External generators").
#
# Method (NOT differentially private; it makes no privacy claim and writes no privacy.json):
# each synthetic row takes the label of a random train row, then every gene independently takes
# the value of a random train row of that class (per-class independent marginals).
#
# Usage: class_resample.sh REQUEST_JSON   (bench passes the path; $BENCH_REQUEST holds it too)
set -eu
request=${1:-${BENCH_REQUEST:?no request given}}

# request.json has one top-level key per line ("key": value,); read the scalars we need.
field() {
    sed -n "s/^  \"$1\": //p" "$request" | sed 's/,$//; s/^"//; s/"$//'
}
protocol=$(field protocol)
[ "$protocol" = 1 ] || { echo "unsupported request protocol '$protocol'" >&2; exit 2; }
seed=$(field seed)
split=$(field split)
rows=$(field rows)
label_column=$(field label_column)
train_data=$(field train_data)
train_labels=$(field train_labels)
synthetic_data=$(field synthetic_data)
synthetic_labels=$(field synthetic_labels)

# awk's srand takes one number: mix the seed and the split so folds differ.
awk -F, -v seed="$seed" -v fold="$split" -v rows="$rows" -v label_column="$label_column" \
    -v out_data="$synthetic_data" -v out_labels="$synthetic_labels" '
    FNR == 1 { file++ }
    file == 1 && FNR == 1 { header = $0; genes = NF; next }
    file == 1 { n++; for (g = 1; g <= genes; g++) x[n, g] = $g; next }
    file == 2 && FNR == 1 { next }
    file == 2 {
        m++; label[m] = $0
        members[$0, ++count[$0]] = m
    }
    END {
        if (n != m) { print "train data has " n " rows but " m " labels" > "/dev/stderr"; exit 3 }
        srand(seed * 1000 + fold)
        print header > out_data
        print label_column > out_labels
        for (i = 1; i <= rows; i++) {
            c = label[1 + int(rand() * n)]
            line = ""
            for (g = 1; g <= genes; g++) {
                r = members[c, 1 + int(rand() * count[c])]
                line = line (g > 1 ? "," : "") x[r, g]
            }
            print line > out_data
            print c > out_labels
        }
    }
' "$train_data" "$train_labels"
