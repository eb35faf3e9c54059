# throughput.gp - throughput per core (the fire model: Mha per CPU-hour; other
# workloads: their work units per CPU-hour, as ylabel says) against the
# jobs-per-core ratio, at the machine's core count (or the sweep's most
# workers); serial, one worker, for scale.
load dir.'/common.gp'
set title 'Throughput per core against jobs per core, '.subtitle
set xlabel 'jobs per core'
set ylabel (exists('ylabel') ? ylabel : 'Mha per CPU-hour')
set xrange [0.5:*]
set yrange [0:*]
plot for [i=0:*] dat index i using 1:2:3:4 title columnheader(1)
