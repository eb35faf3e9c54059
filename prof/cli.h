/*
 * cli.h - the commands of the spreadbench program and the helpers they
 * share.  Each command is a function taking (argc, argv) with argv[0] the
 * command name, parsing its own options with getopt_long, and returning
 * the process exit status.  Errors go to stderr as "spreadbench: ...",
 * lowercase, with the subject in quotes.
 */
#ifndef SPREADBENCH_CLI_H
#define SPREADBENCH_CLI_H


#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

int cmd_fire(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* The program's whole command line, for re-running itself. */
extern char **cli_full_argv;

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double now_s(void);
/* Strict parsers of option values: the whole string is the number, with
 * no leading space; 0 or -EINVAL.  parse_int: base 10, within [lo, hi];
 * parse_double: finite (no nan, inf or overflow); parse_u64: no sign. */
int parse_int(const char *s, long lo, long hi, long *out);
int parse_double(const char *s, double *out);
int parse_u64(const char *s, uint64_t *out);
/* A size with an optional K, M, G or T suffix (powers of 1024), e.g. 1.5G. */
int parse_size(const char *s, uint64_t *out);
/* A fraction, or a percentage with '%' ("2%" is 0.02), in [0, 1). */
int parse_fraction(const char *s, double *out);
/* Seconds, or minutes or hours with an m or h suffix ("90m"), > 0. */
int parse_duration(const char *s, double *out);
/* A comma list of names, split in place: names[] point into s.  An
 * empty list, an empty item ("a,,b", "a,") or more than max items is
 * -EINVAL. */
int parse_name_list(char *s, const char **names, int max, int *n);
/* A comma list of whole numbers in [lo, hi] into v[0..max), with the
 * same rules; -ENOMEM when s cannot be copied. */
int parse_int_list(const char *s, long lo, long hi, long *v, int max, int *n);
/* The synthetic workload's options that run, sweep and recommend also
 * take as options of their own ("--job-ms 20"), NULL-ended. */
extern const char *const cli_synthetic_options[];
/* Appends "name=value" (dashes in name made underscores) to the options
 * list in buf: 0, or -EINVAL for a value with ',' or '=' or no room. */
int cli_option_append(char *buf, size_t len, const char *name, const char *value);

/* CPUs this process may run on (its affinity mask). */
int cli_usable_cpus(void);
struct strategy;
/* The strategy called name, or NULL after saying it is unknown or not
 * built (and how to build it). */
const struct strategy *cli_strategy_built(const char *name);
/* The exec'd worker program: next to this executable, or $SPREADBENCH_WORKER. */
const char *worker_program_path(void);

/* Where the gnuplot scripts live: $SPREADBENCH_PLOTS or the source tree. */
const char *plots_dir(void);
/* Runs gnuplot -e expr script with its standard output, the picture,
 * copied to out; 0, or a negative errno (-EPROTO when gnuplot fails,
 * -ENODATA when it drew nothing, -ENOPKG when there is no gnuplot, -EIO
 * when out refuses the picture). */
int run_gnuplot(const char *script, const char *expr, FILE *out);
/* What a negative errno from run_gnuplot or plot_fire means, for messages. */
const char *plot_strerror(int rc);
/* Draws plots_dir()/NAME.gp from dat into dir/NAME.png and .svg, each
 * written whole or not at all; vars are more gnuplot assignments
 * ("rows=3; xmin=0.2").  0, or a negative errno after a message. */
int plot_draw(const char *dir, const char *name, const char *dat, const char *vars);
int cmd_plot(int argc, char **argv);

#endif
