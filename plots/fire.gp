# fire.gp - one fire drawn over its landscape (used by `spreadbench fire --plot`).
# Variables set by the caller with -e: dir (folder holding land.dat, toa.dat,
# type.dat), title (figure title), and out (PNG path) to write a file;
# without out the PNG goes to standard output.
# land.dat: x y r g b   (landscape in grey: darker = denser fuel; blue = nonburnable)
# toa.dat:  x y hours   (time of arrival since ignition; NaN where unburned)
# type.dat: x y type    (1 surface, 2 passive crown, 3 active crown; NaN elsewhere)
set terminal pngcairo size 1400,700 font "sans,11"
if (exists("out")) set output out
set multiplot layout 1,2 title title font "sans,13"
set size ratio -1
set xlabel "east (km)"
set ylabel "north (km)"
set tics out
set autoscale xfix
set autoscale yfix
set rmargin 14
set key off

set title "time of arrival (hours after ignition)"
set palette defined (0 "#fff7b2", 0.35 "#fd8d3c", 0.7 "#e31a1c", 1 "#5b0a2a")
set cblabel "hours"
plot dir."/land.dat" using 1:2:3:4:5 with rgbimage, \
     dir."/toa.dat" using 1:2:3 with image

set title "fire type"
set palette defined (1 "#fee391", 2 "#fe9929", 3 "#b30000")
set cbrange [0.5:3.5]
set cbtics ("surface" 1, "passive" 2, "active" 3)
set cblabel ""
plot dir."/land.dat" using 1:2:3:4:5 with rgbimage, \
     dir."/type.dat" using 1:2:3 with image
unset multiplot
