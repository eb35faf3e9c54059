# efficiency.gp - parallel efficiency (speedup / workers) against workers.
load dir.'/common.gp'
set title 'Parallel efficiency, '.subtitle
set xlabel 'workers (cores)'
set ylabel 'efficiency (speedup / workers)'
set xrange [0.5:*]
set xtics 1
set yrange [0:1.2]
plot for [i=0:*] dat index i using 1:2:3:4 title columnheader(1), \
     1 with lines dt 2 lc rgb 'black' title 'ideal'
