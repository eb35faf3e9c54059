# latency.gp - worker start latency against the runner's resident memory
# (--parent-rss ballast of touched 4 KiB pages), fork against spawn: fork
# copies the parent's page tables, posix_spawn does not.  Error bars are
# the extremes of the repetitions.
load dir.'/common.gp'
set title 'Worker start latency against parent memory, '.subtitle
set xlabel 'runner resident memory (MiB)'
set ylabel 'start latency (ms)'
set xrange [-128:*]
set yrange [0:*]
plot for [i=0:*] dat index i using 1:2:3:4 title columnheader(1)
