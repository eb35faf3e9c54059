/*
 * exec_plan.c - see exec_cli.h: from the options of `spreadbench exec` to
 * its points.  A command given after the options is its words; one given
 * with --vs is a string, split into words as a shell would split it
 * (quotes and backslashes) but with nothing expanded; with --shell either
 * is one string for /bin/sh -c.  {NAME} is replaced by each value of the
 * parameter NAME wherever it appears (in a word, the shell string, and
 * --prepare and --cleanup); other braces are left alone.  Every command
 * is looked up in PATH before anything runs, so that a misspelt one is
 * bad input rather than a series of failed runs.
 */
#include "cli.h"
#include "exec_cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Parameters                                                          */
/* ------------------------------------------------------------------ */

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static int add_value(struct exec_param *p, char *v)
{
	if (!v)
		return -ENOMEM;
	if (p->n == EXEC_MAX_VALUES) {
		free(v);
		return -E2BIG;
	}
	if (p->n % 16 == 0) {
		char **nv = realloc(p->values, ((size_t)p->n + 16) * sizeof *nv);
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		p->values = nv;
	}
	p->values[p->n++] = v;
	return 0;
}

/* START:END, START:END:STEP (added) or START:END:xF (multiplied). */
static int range_values(struct exec_param *p, const char *spec)
{
	char buf[128], *step;
	long lo, hi, inc = 1, mul = 0;
	if (strlen(spec) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, spec);
	char *colon = strchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	step = strchr(colon + 1, ':');
	if (step)
		*step++ = '\0';
	if (parse_int(buf, LONG_MIN / 4, LONG_MAX / 4, &lo) || parse_int(colon + 1, LONG_MIN / 4, LONG_MAX / 4, &hi) ||
	    hi < lo)
		return -EINVAL;
	if (step && (step[0] == 'x' || step[0] == '*')) {
		if (parse_int(step + 1, 2, 1000, &mul) || lo < 1)
			return -EINVAL;
	} else if (step && parse_int(step[0] == '+' ? step + 1 : step, 1, LONG_MAX / 4, &inc)) {
		return -EINVAL;
	}
	for (long v = lo; v <= hi; v = mul ? v * mul : v + inc) {
		char *s = NULL;
		if (asprintf(&s, "%ld", v) < 0)
			return -ENOMEM;
		int rc = add_value(p, s);
		if (rc)
			return rc;
	}
	return 0;
}

int exec_param_parse(struct exec_args *a, const char *arg, bool range)
{
	const char *opt = range ? "--param-range" : "--param", *eq = strchr(arg, '=');
	int rc = -EINVAL;
	if (!eq || !valid_name(arg, (size_t)(eq - arg))) {
		cli_error("invalid %s '%s': NAME=%s, NAME a letter or '_' then letters, digits or '_'", opt, arg,
			  range ? "START:END[:STEP|:xF]" : "A,B,C");
		return -EINVAL;
	}
	for (int i = 0; i < a->nparams; i++)
		if (strlen(a->params[i].name) == (size_t)(eq - arg) && !strncmp(a->params[i].name, arg, (size_t)(eq - arg))) {
			cli_error("parameter '%.*s' is given twice", (int)(eq - arg), arg);
			return -EINVAL;
		}
	if (a->nparams == EXEC_MAX_PARAMS) {
		cli_error("at most %d parameters", EXEC_MAX_PARAMS);
		return -EINVAL;
	}
	struct exec_param *p = &a->params[a->nparams++];
	memset(p, 0, sizeof *p);
	p->name = strndup(arg, (size_t)(eq - arg));
	if (!p->name)
		return -ENOMEM;
	if (range) {
		rc = range_values(p, eq + 1);
	} else {
		/* Values are any text but empty, split at commas. */
		rc = eq[1] ? 0 : -EINVAL;
		for (const char *v = eq + 1; !rc;) {
			const char *comma = strchr(v, ',');
			size_t n = comma ? (size_t)(comma - v) : strlen(v);
			if (n == 0) {
				rc = -EINVAL;
				break;
			}
			rc = add_value(p, strndup(v, n));
			if (!comma)
				break;
			v = comma + 1;
		}
	}
	if (rc == -E2BIG)
		cli_error("%s '%s' has more than %d values", opt, arg, EXEC_MAX_VALUES);
	else if (rc == -EINVAL)
		cli_error("invalid %s '%s': NAME=%s", opt, arg,
			  range ? "START:END[:STEP|:xF], whole numbers, START <= END, xF from 1" : "A,B,C, no empty value");
	return rc == -E2BIG ? -EINVAL : rc;
}

/* ------------------------------------------------------------------ */
/* Words and text                                                      */
/* ------------------------------------------------------------------ */

static int push_word(char ***words, int *n, char *w)
{
	if (!w)
		return -ENOMEM;
	char **nw = realloc(*words, ((size_t)*n + 2) * sizeof *nw);
	if (!nw) {
		free(w);
		return -ENOMEM;
	}
	*words = nw;
	nw[(*n)++] = w;
	nw[*n] = NULL;
	return 0;
}

/* Splits s into words as a shell would, without expanding anything:
 * blanks separate words, '...' is literal, "..." keeps \" \\ \$ \` as
 * the character, a backslash outside quotes escapes the next one. */
static int split_words(const char *s, char ***words, int *n)
{
	size_t len = strlen(s);
	char *w = malloc(len + 1);
	int rc = 0;
	bool in_word = false;
	size_t k = 0;
	*words = NULL;
	*n = 0;
	if (!w)
		return -ENOMEM;
	for (const char *p = s; !rc; p++) {
		if (*p == '\0' || isspace((unsigned char)*p)) {
			if (in_word) {
				w[k] = '\0';
				rc = push_word(words, n, strdup(w));
				k = 0;
				in_word = false;
			}
			if (*p == '\0')
				break;
			continue;
		}
		in_word = true;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end) {
				rc = -EINVAL;
				break;
			}
			memcpy(w + k, p + 1, (size_t)(end - p - 1));
			k += (size_t)(end - p - 1);
			p = end;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				w[k++] = *p;
			}
			if (!*p) {
				rc = -EINVAL;
				break;
			}
		} else if (*p == '\\') {
			if (!p[1]) {
				rc = -EINVAL;
				break;
			}
			w[k++] = *++p;
		} else {
			w[k++] = *p;
		}
	}
	free(w);
	if (!rc && *n == 0)
		rc = -EINVAL;
	return rc;
}

/* The words as one line a shell would split back into them, for showing. */
static char *join_words(char **words, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += 4 * strlen(words[i]) + 3;
	char *s = malloc(len), *o = s;
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		bool quote = !w[0] || strpbrk(w, " \t\n'\"\\$`|&;<>()*?[]~#!") != NULL;
		if (i)
			*o++ = ' ';
		if (quote)
			*o++ = '\'';
		for (; *w; w++) {
			if (quote && *w == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else {
				*o++ = *w;
			}
		}
		if (quote)
			*o++ = '\'';
	}
	*o = '\0';
	return s;
}

/* The value of each parameter at combination `combo`: the first
 * parameter varies slowest. */
static const char *value_at(const struct exec_args *a, int param, int combo)
{
	int div = 1;
	for (int j = a->nparams - 1; j > param; j--)
		div *= a->params[j].n;
	return a->params[param].values[(combo / div) % a->params[param].n];
}

/* t with every {NAME} of a parameter replaced by its value at combo. */
static char *substitute(const struct exec_args *a, const char *t, int combo)
{
	/* Each {NAME} takes at least 3 bytes of the template, and is
	 * replaced by at most the longest value. */
	size_t longest = 0;
	for (int i = 0; i < a->nparams; i++)
		for (int k = 0; k < a->params[i].n; k++)
			if (strlen(a->params[i].values[k]) > longest)
				longest = strlen(a->params[i].values[k]);
	size_t len = strlen(t) + (strlen(t) / 3 + 1) * longest + 1;
	char *s = malloc(len), *o = s;
	if (!s)
		return NULL;
	while (*t) {
		bool done = false;
		for (int i = 0; *t == '{' && i < a->nparams && !done; i++) {
			size_t n = strlen(a->params[i].name);
			if (!strncmp(t + 1, a->params[i].name, n) && t[1 + n] == '}') {
				const char *v = value_at(a, i, combo);
				o = stpcpy(o, v);
				t += n + 2;
				done = true;
			}
		}
		if (!done)
			*o++ = *t++;
	}
	*o = '\0';
	return s;
}

static bool uses(const char *t, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = t ? strchr(t, '{') : NULL; p; p = strchr(p + 1, '{'))
		if (!strncmp(p + 1, name, n) && p[1 + n] == '}')
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */
/* ------------------------------------------------------------------ */

/* A label goes into plots' titles and the .dat files gnuplot reads, in
 * double quotes: no double quote, backslash or control character. */
static bool label_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The command line as a label: the characters a label may not hold
 * replaced, cut to 40 bytes (at a character's start) with "...". */
static void default_label(const char *text, char *out, size_t cap)
{
	size_t k = 0, max = 40;
	for (const char *p = text; *p && k + 1 < cap; p++) {
		unsigned char ch = (unsigned char)*p;
		out[k++] = ch == '"' ? '\'' : ch == '\\' ? '/' : ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	out[k] = '\0';
	if (k > max) {
		k = max - 3;
		while (k > 0 && ((unsigned char)out[k] & 0xc0) == 0x80)
			k--;
		strcpy(out + k, "...");
	}
}

static int make_labels(struct exec_args *a)
{
	if (a->nlabels > a->ncommands) {
		cli_error("%d --label for %d command%s: each names one, CMD first, then each --vs", a->nlabels,
			  a->ncommands, a->ncommands == 1 ? "" : "s");
		return -EINVAL;
	}
	for (int i = 0; i < a->ncommands; i++) {
		struct exec_cmdspec *c = &a->commands[i];
		if (i < a->nlabels) {
			if (!label_ok(a->labels[i]) || strlen(a->labels[i]) > EXEC_LABEL_GIVEN_MAX) {
				cli_error("invalid --label '%s': 1 to %d bytes, without '\"', '\\' or control characters",
					  a->labels[i], EXEC_LABEL_GIVEN_MAX);
				return -EINVAL;
			}
			snprintf(c->label, sizeof c->label, "%s", a->labels[i]);
		} else if (c->words) {
			/* The program's own name, not the path to it, then its
			 * arguments: what tells commands apart comes first. */
			const char *slash = strrchr(c->words[0], '/');
			char *first = c->words[0], *text;
			c->words[0] = (char *)(slash && slash[1] ? slash + 1 : first);
			text = join_words(c->words, c->nwords);
			c->words[0] = first;
			if (!text)
				return -ENOMEM;
			default_label(text, c->label, sizeof c->label);
			free(text);
		} else {
			default_label(c->text, c->label, sizeof c->label);
		}
	}
	/* Labels tell points apart: two commands may not share one.  A
	 * default label that another has already is the whole command line
	 * instead (true and /bin/true), then gets a number; given ones are
	 * refused. */
	for (int i = 1; i < a->ncommands; i++)
		for (int j = 0; j < i; j++) {
			if (strcmp(a->commands[i].label, a->commands[j].label))
				continue;
			if (i < a->nlabels) {
				cli_error("two commands have the label '%s'", a->commands[i].label);
				return -EINVAL;
			}
			char whole[EXEC_LABEL_MAX + 1];
			default_label(a->commands[i].text, whole, sizeof whole);
			if (strcmp(whole, a->commands[i].label)) {
				strcpy(a->commands[i].label, whole);
				j = -1;
				continue;
			}
			size_t n = strlen(a->commands[i].label);
			snprintf(a->commands[i].label + (n > 44 ? 44 : n), sizeof a->commands[i].label - 44, " #%d",
				 i + 1);
			j = -1;          /* look again from the start */
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands and points                                                 */
/* ------------------------------------------------------------------ */

/* Whether execvp would find name: 0, or why not. */
static int find_program(const char *name)
{
	struct stat st;
	if (!name[0])
		return -ENOENT;
	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return -errno;
		return stat(name, &st) == 0 && S_ISDIR(st.st_mode) ? -EISDIR : 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";  /* execvp's default */
	int rc = -ENOENT;
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char file[PATH_MAX];
		if (snprintf(file, sizeof file, "%.*s%s%s", (int)n, n ? p : ".", "/", name) < (int)sizeof file &&
		    stat(file, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(file, X_OK) == 0)
				return 0;
			rc = -EACCES;
		}
		if (!end)
			break;
		p = end;
	}
	return rc;
}

static int add_command(struct exec_args *a, char **words, int nwords, const char *text)
{
	struct exec_cmdspec *c = &a->commands[a->ncommands++];
	memset(c, 0, sizeof *c);
	if (a->shell) {
		/* The words after -- are the shell line, joined as they were
		 * typed: quoting them again would undo what --shell is for. */
		size_t len = 1;
		for (int i = 0; !text && i < nwords; i++)
			len += strlen(words[i]) + 1;
		c->text = text ? strdup(text) : calloc(1, len);
		for (int i = 0; c->text && !text && i < nwords; i++) {
			if (i)
				strcat(c->text, " ");
			strcat(c->text, words[i]);
		}
		return c->text ? 0 : -ENOMEM;
	}
	if (text) {
		int rc = split_words(text, &c->words, &c->nwords);
		if (rc == -EINVAL)
			cli_error("cannot split --vs '%s' into words (an unclosed quote, or nothing): quote it as a "
				  "shell would, or use --shell", text);
		if (rc)
			return rc;
		c->text = strdup(text);
	} else {
		for (int i = 0; i < nwords; i++)
			if (push_word(&c->words, &c->nwords, strdup(words[i])))
				return -ENOMEM;
		c->text = join_words(words, nwords);
	}
	return c->text ? 0 : -ENOMEM;
}

static bool all_workers(const struct exec_param *p)
{
	for (int k = 0; k < p->n; k++) {
		long v;
		if (parse_int(p->values[k], 1, 4096, &v))
			return false;
	}
	return true;
}

static int choose_workers(struct exec_args *a)
{
	a->workers_index = -1;
	if (a->workers || a->nparams == 0) {
		if (a->workers_param) {
			cli_error("--workers-param '%s' names no --param", a->workers_param);
			return -EINVAL;
		}
		return 0;
	}
	if (!a->workers_param) {
		a->workers_index = all_workers(&a->params[0]) ? 0 : -1;
		return 0;
	}
	for (int i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].name, a->workers_param) == 0) {
			if (!all_workers(&a->params[i])) {
				cli_error("--workers-param '%s': its values must be whole numbers from 1 to 4096",
					  a->workers_param);
				return -EINVAL;
			}
			a->workers_index = i;
			return 0;
		}
	cli_error("--workers-param '%s' names no --param", a->workers_param);
	return -EINVAL;
}

static int make_point(struct exec_args *a, struct exec_pt *pt, int cmd, int combo)
{
	const struct exec_cmdspec *c = &a->commands[cmd];
	memset(pt, 0, sizeof *pt);
	pt->cmd = cmd;
	pt->combo = combo;
	pt->workers = a->workers ? a->workers : 1;
	size_t n = (size_t)snprintf(pt->label, sizeof pt->label, "%s", c->label);
	for (int i = 0; i < a->nparams; i++) {
		const char *v = value_at(a, i, combo);
		if (i == a->workers_index) {
			long w;
			parse_int(v, 1, 4096, &w);
			pt->workers = (int)w;
			continue;
		}
		if (n < sizeof pt->label)
			n += (size_t)snprintf(pt->label + n, sizeof pt->label - n, " %s=%s", a->params[i].name, v);
	}
	if (n >= sizeof pt->label || !label_ok(pt->label)) {
		cli_error("the label '%s' with its parameters' values is longer than %d bytes or holds '\"', '\\' or a "
			  "control character: give a shorter --label, or other values",
			  c->label, EXEC_LABEL_MAX);
		return -EINVAL;
	}
	pt->c.show_output = a->show_output;
	pt->c.timeout_s = a->timeout_s;
	int nargv = a->shell ? 3 : c->nwords;
	char **argv = calloc((size_t)nargv + 1, sizeof *argv);
	if (!argv)
		return -ENOMEM;
	pt->c.argv = argv;
	if (!(pt->c.text = substitute(a, c->text, combo)))
		return -ENOMEM;
	if (a->shell) {
		if (!(argv[0] = strdup("/bin/sh")) || !(argv[1] = strdup("-c")) || !(argv[2] = strdup(pt->c.text)))
			return -ENOMEM;
	} else {
		for (int i = 0; i < c->nwords; i++)
			if (!(argv[i] = substitute(a, c->words[i], combo)))
				return -ENOMEM;
		int rc = find_program(argv[0]);
		if (rc) {
			if (rc == -ENOENT && !strchr(argv[0], '/'))
				cli_error("cannot find the command '%s' in PATH", argv[0]);
			else
				cli_error("cannot run '%s': %s", argv[0], strerror(-rc));
			return -EINVAL;
		}
	}
	if ((a->prepare && !(pt->prepare = substitute(a, a->prepare, combo))) ||
	    (a->cleanup && !(pt->cleanup = substitute(a, a->cleanup, combo))))
		return -ENOMEM;
	return 0;
}

int exec_plan(struct exec_args *a)
{
	int rc = add_command(a, a->cmd, a->ncmd, NULL);
	for (int i = 0; !rc && i < a->nvs; i++)
		rc = add_command(a, NULL, 0, a->vs[i]);
	if (!rc)
		rc = make_labels(a);
	if (!rc)
		rc = choose_workers(a);
	for (int i = 0; !rc && i < a->nparams; i++) {
		bool used = uses(a->prepare, a->params[i].name) || uses(a->cleanup, a->params[i].name);
		for (int k = 0; k < a->ncommands && !used; k++)
			used = uses(a->commands[k].text, a->params[i].name);
		if (!used) {
			cli_error("--param '%s' is used by no command: put {%s} where its value goes", a->params[i].name,
				  a->params[i].name);
			rc = -EINVAL;
		}
	}
	if (rc)
		goto out;
	long combos = 1;
	for (int i = 0; i < a->nparams; i++)
		combos *= a->params[i].n;
	if (combos * a->ncommands > EXEC_MAX_POINTS) {
		cli_error("%ld commands to run (commands x parameter values): at most %d", combos * a->ncommands,
			  EXEC_MAX_POINTS);
		rc = -EINVAL;
		goto out;
	}
	a->ncombos = (int)combos;
	a->pts = calloc((size_t)(combos * a->ncommands), sizeof *a->pts);
	if (!a->pts) {
		rc = -ENOMEM;
		goto out;
	}
	/* Each command's points together, its combinations in order: the
	 * order of the summary, not of the runs. */
	for (int c = 0; !rc && c < a->ncommands; c++)
		for (int k = 0; !rc && k < a->ncombos; k++)
			rc = make_point(a, &a->pts[a->npts++], c, k);
out:
	if (rc == -ENOMEM)
		cli_error("out of memory");
	return rc;
}

void exec_args_release(struct exec_args *a)
{
	for (int i = 0; i < a->nparams; i++) {
		for (int k = 0; k < a->params[i].n; k++)
			free(a->params[i].values[k]);
		free(a->params[i].values);
		free((char *)a->params[i].name);
	}
	for (int i = 0; i < a->ncommands; i++) {
		free(a->commands[i].text);
		for (int k = 0; k < a->commands[i].nwords; k++)
			free(a->commands[i].words[k]);
		free(a->commands[i].words);
	}
	for (int i = 0; i < a->npts; i++) {
		struct exec_pt *pt = &a->pts[i];
		for (char **w = pt->c.argv; w && *w; w++)
			free(*w);
		free(pt->c.argv);
		free((char *)pt->c.text);
		free(pt->prepare);
		free(pt->cleanup);
		for (int m = 0; m < EXEC_NMETRIC; m++)
			free(pt->v[m]);
	}
	free(a->pts);
	memset(a, 0, sizeof *a);
}
