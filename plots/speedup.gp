# speedup.gp - speedup over serial (same batch) against workers, one line
# per strategy; error bars from the repetitions (serial median over the
# slowest and fastest run); the dashed line is ideal speedup.
load dir.'/common.gp'
set title 'Speedup over serial, '.subtitle
set xlabel 'workers (cores)'
set ylabel 'speedup (serial wall / wall)'
set xrange [0.5:*]
set xtics 1
set yrange [0:*]
plot for [i=0:*] dat index i using 1:2:3:4 title columnheader(1), \
     x with lines dt 2 lc rgb 'black' title 'ideal'
