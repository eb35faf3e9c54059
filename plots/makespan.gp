# makespan.gp - the compute phase of one batch of unequal jobs under each
# schedule (bars, error bars the extremes of the repetitions) against the
# ideal: the jobs' total running time divided by the workers (crosses).
load dir.'/common.gp'
set title 'Makespan per schedule, unequal jobs, '.subtitle
set xlabel 'schedule'
set ylabel 'compute phase (s)'
set style data boxes
set style fill solid 0.5 border -1
set boxwidth 0.5
set yrange [0:*]
set xrange [-0.6:*]
plot dat using 0:2:xtic(1) with boxes title 'makespan (median)', \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 title 'min - max', \
     '' using 0:5 with points pt 2 ps 2 lc rgb 'red' title 'ideal: total work / workers'
