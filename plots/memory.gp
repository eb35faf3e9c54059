# memory.gp - peak PSS of the whole process tree against workers (solid,
# error bars from the repetitions) and the summed RSS naive tools would
# report (dashed, same colour).
load dir.'/common.gp'
set title 'Peak memory of the process tree, '.subtitle
set xlabel 'workers (cores)'
set ylabel 'MiB'
set xrange [0.5:*]
set xtics 1
set yrange [0:*]
plot for [i=0:*] dat index i using 1:2:3:4 lc i+1 title columnheader(1), \
     for [i=0:*] dat index i using 1:5 with lines dt 2 lc i+1 notitle
