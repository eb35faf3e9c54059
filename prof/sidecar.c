/*
 * sidecar.c - see sidecar.h.
 */
#include "sidecar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int sidecar_parse(const char *name, const void *data, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	*out = NULL;
	if (len > SIDECAR_MAX_BYTES) {
		set_err(err, errlen, "'%s' is larger than %d bytes", name, SIDECAR_MAX_BYTES);
		return -EINVAL;
	}
	/* Duplicate keys would make which value counts depend on the
	 * library's version. */
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		set_err(err, errlen, "'%s' line %d column %d: %s", name, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(v)) {
		set_err(err, errlen, "'%s' is not a JSON object", name);
		json_decref(v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int sidecar_load(const char *path, json_t **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc = 0;
	*out = NULL;
	/* O_NONBLOCK: a pipe nobody writes to must not block the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		set_err(err, errlen, "cannot read '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		set_err(err, errlen, "cannot read '%s': %s", path, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "'%s' is not a regular file", path);
		rc = -EINVAL;
		goto out;
	}
	if (st.st_size > SIDECAR_MAX_BYTES) {
		set_err(err, errlen, "'%s' is larger than %d bytes", path, SIDECAR_MAX_BYTES);
		rc = -EINVAL;
		goto out;
	}
	/* One byte more than the size, to see a file that grew meanwhile. */
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		rc = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size + 1) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			set_err(err, errlen, "cannot read '%s': %s", path, strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size) {
		set_err(err, errlen, "'%s' changed while it was read", path);
		rc = -EINVAL;
		goto out;
	}
	rc = sidecar_parse(path, buf, len, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

int sidecar_cores(const json_t *ctx)
{
	json_t *v = json_object_get(ctx, "cores");
	if (!json_is_integer(v))
		return 0;
	json_int_t n = json_integer_value(v);
	return n >= 1 && n <= 65536 ? (int)n : 0;
}

/* A value as one table cell. */
static void put_cell(const char *s, FILE *f)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("&#124;", f); /* unlike "\\|", whatever comes before it */
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

void sidecar_machine_table(const json_t *ctx, FILE *f)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)ctx, key, v) {
		if (!json_is_string(v) && !json_is_number(v))
			continue;
		fputs("| ", f);
		put_cell(key, f);
		fputs(" | ", f);
		if (json_is_string(v))
			put_cell(json_string_value(v), f);
		else if (json_is_integer(v))
			fprintf(f, "%lld", (long long)json_integer_value(v));
		else
			fprintf(f, "%.4g", json_real_value(v));
		fputs(" |\n", f);
	}
}
