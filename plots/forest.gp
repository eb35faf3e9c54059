# forest.gp - every finding's effects: each effect's estimate and 95 %
# interval on a ratio axis (log scale), over the region where its claim
# needs the whole interval to lie.  Called with dat (block 0: regions,
# block 1: effects), rows, xmin, xmax and fmt; the picture goes to
# standard output (or to out.'.'.fmt when out is given).
h = 160 + 22 * rows
if (fmt eq 'svg') {
  set terminal svg size 1000,h dynamic font "sans,11" background rgb 'white'
} else {
  set terminal pngcairo size 1000,h font "sans,10"
}
if (exists('out')) set output out.'.'.fmt
set title 'Findings: effects with 95 % intervals (shaded: where the claim needs the interval)'
set logscale x
set xrange [xmin:xmax]
set yrange [rows + 0.5:0.5]
set xlabel 'effect (ratio; shifts drawn as the ratio to their reference)'
set grid xtics
set key off
set style fill solid 0.25 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb 'black'
plot dat index 0 using (($1 + $2) / 2):3:1:2:($3 - 0.4):($3 + 0.4) with boxxyerror fc rgb '#66bb66', \
     dat index 1 using 3:1:4:5:6:ytic(2) with xerrorbars pt 7 ps 0.9 lc rgb variable
