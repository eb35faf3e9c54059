# common.gp - terminal and style shared by the sweep plots.  Called with
# fmt ('png' or 'svg') set, and out (file name without extension) to write
# a file; without out the picture goes to standard output, which is how
# spreadbench reads it (it writes the file itself, so that a failed write
# is seen and never leaves half a picture in place).
if (fmt eq 'svg') {
  set terminal svg size 900,600 dynamic font "sans,12" background rgb 'white'
} else {
  set terminal pngcairo size 900,600 font "sans,11"
}
# Titles are names (strategies, the labels of measured commands): no
# enhanced-text markup, so that '_' and '^' print as themselves.
set termoption noenhanced
if (exists('out')) set output out.'.'.fmt
set key outside right top
set grid
set style data yerrorlines
set pointsize 1.2
