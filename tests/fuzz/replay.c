/*
 * replay.c - runs a fuzz target's entry point over saved inputs, without
 * libFuzzer, so that every build (gcc, Release, the sanitizers) replays
 * the inputs that once crashed and the seed corpus.  Each argument is a
 * file or a folder of files (not recursive; names starting with '.' are
 * skipped).  An input that breaks a property aborts, failing the test.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path, int *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	if (!f) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			uint8_t *p = realloc(buf, cap);
			if (!p) {
				rc = 1;
				goto out;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		rc = 1;
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, len);
	(*count)++;
out:
	free(buf);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0, status = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: cannot read '%s': %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			status |= replay_file(argv[i], &count);
			continue;
		}
		DIR *d = opendir(argv[i]);
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			status |= replay_file(path, &count);
		}
		if (d)
			closedir(d);
	}
	printf("replay: %d inputs, every property held\n", count);
	return status || count == 0;
}
