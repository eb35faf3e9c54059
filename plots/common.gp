# common.gp - terminal and style shared by the sweep plots.  Called with
# out (file name without extension) and fmt ('png' or 'svg') set.
if (fmt eq 'svg') {
  set terminal svg size 900,600 dynamic font "sans,12" background rgb 'white'
} else {
  set terminal pngcairo size 900,600 font "sans,11"
}
set output out.'.'.fmt
set key outside right top
set grid
set style data yerrorlines
set pointsize 1.2
