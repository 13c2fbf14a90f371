// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CT config file, vzctl-style: KEY="value" or KEY=value lines, '#'
 * comments and blank lines. The parser is strict: an unknown or repeated key,
 * bad quoting or a bad value is refused with the file, line and key named.
 * "$VEID" in a path is replaced by the CTID, as vzctl does.
 */
#define LOG_PREFIX "conf: "
#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

enum val_kind { V_PATH, V_HOST, V_IP, V_SIZE, V_NUM, V_BOOL, V_NAME };

struct conf_key {
	const char *key;
	enum val_kind kind;
	size_t off, len;
};

#define K(name, kind, field) \
	{ name, kind, offsetof(struct ct_conf, field), sizeof(((struct ct_conf *)0)->field) }

static const struct conf_key conf_keys[] = {
	K("VE_ROOT", V_PATH, ve_root),
	K("VE_PRIVATE", V_PATH, ve_private),
	K("OSTEMPLATE", V_NAME, ostemplate),
	K("HOSTNAME", V_HOST, hostname),
	K("IP_ADDRESS", V_IP, ip_address),
	K("HOST_IP", V_IP, host_ip),
	K("DISK", V_SIZE, disk),
	K("PHYSPAGES", V_SIZE, physpages),
	K("SWAPPAGES", V_SIZE, swappages),
	K("CPUS", V_NUM, cpus),
	K("CPULIMIT", V_NUM, cpulimit),
	K("CPUUNITS", V_NUM, cpuunits),
	K("ONBOOT", V_BOOL, onboot),
};

/* NULL if @v has no "." or ".." component and only sane characters. */
static const char *path_bad(const char *v)
{
	const char *p = v;

	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return "a path with a '.' or '..' component";
		p += n;
	}
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/-_.+${}", *p))
			return "a path with characters other than a-z, 0-9 and /-_.+";
	return NULL;
}

/* NULL if @v is a good value of @kind, else what is wrong with it. */
static const char *check_value(enum val_kind kind, const char *v)
{
	struct in_addr a;
	const char *p;

	switch (kind) {
	case V_PATH:
		if (v[0] != '/')
			return "not an absolute path";
		return path_bad(v);
	case V_HOST:
		for (p = v; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
				return "not a host name (a-z, 0-9, '-', '.')";
		return (*v == '-' || *v == '.') ? "host name starts with '-' or '.'" : NULL;
	case V_IP:
		if (!*v)
			return NULL;
		if (strchr(v, ' '))
			return "more than one address (one IPv4 address for now)";
		return inet_pton(AF_INET, v, &a) == 1 ? NULL : "not an IPv4 address";
	case V_SIZE:
		/* "N", "N[KMGTP]", "unlimited" or vzctl's "BARRIER:LIMIT" of those */
		for (p = v; *p; p++) {
			if (!strncmp(p, "unlimited", 9) && (p == v || p[-1] == ':')) {
				p += 8;
				continue;
			}
			if (!isdigit((unsigned char)*p) && !strchr("KMGTPkmgtp:", *p))
				return "not a size (N, N[KMGTP], unlimited or N:N)";
		}
		return NULL;
	case V_NUM:
		for (p = v; *p; p++)
			if (!isdigit((unsigned char)*p))
				return "not a number";
		return NULL;
	case V_BOOL:
		return (!strcmp(v, "yes") || !strcmp(v, "no") || !*v) ? NULL : "not \"yes\" or \"no\"";
	case V_NAME:
		for (p = v; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
				return "not a name (a-z, 0-9, '-', '_', '.')";
		return NULL;
	}
	return "unknown kind";
}

/* Replace "$VEID" (or "${VEID}") in @in by @id into @out. */
static int expand_veid(const char *in, const char *id, char *out, size_t len)
{
	size_t o = 0;

	while (*in) {
		size_t skip = !strncmp(in, "$VEID", 5) ? 5 : !strncmp(in, "${VEID}", 7) ? 7 : 0;
		const char *add = skip ? id : in;
		size_t n = skip ? strlen(id) : 1;

		if (!skip && *in == '$')
			return -EINVAL;
		if (o + n >= len)
			return -ENAMETOOLONG;
		memcpy(out + o, add, n);
		o += n;
		in += skip ? skip : 1;
	}
	out[o] = '\0';
	return 0;
}

int ct_conf_set(struct ct_conf *conf, const char *key, const char *val, const char *where)
{
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (!strcmp(conf_keys[i].key, key))
			break;
	if (i == ARRAY_SIZE(conf_keys))
		return log_err(-EINVAL, "%s: key %s: unknown key", where, key);
	why = check_value(conf_keys[i].kind, val);
	if (why)
		return log_err(-EINVAL, "%s: key %s: value \"%s\" is %s", where, key, val, why);
	if (strlen(val) >= conf_keys[i].len)
		return log_err(-EINVAL, "%s: key %s: value is too long (at most %zu)",
			       where, key, conf_keys[i].len - 1);
	strcpy((char *)conf + conf_keys[i].off, val);
	return 0;
}

/* Split one line into @key and @val (in place); "" key for blank/comment. */
static const char *split_line(char *line, char **key, char **val)
{
	char *eq, *v, *end;

	*key = "";
	line += strspn(line, " \t");
	if (!*line || *line == '#')
		return NULL;
	eq = strchr(line, '=');
	if (!eq) {
		*key = line;
		return "no '=' in the line";
	}
	*eq = '\0';
	*key = line;
	for (char *p = line; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return "bad key name";
	v = eq + 1;
	if (*v == '"') {
		end = strchr(v + 1, '"');
		if (!end)
			return "unterminated quote";
		*end = '\0';
		if (end[1 + strspn(end + 1, " \t")] != '\0')
			return "text after the closing quote";
		v++;
	} else {
		end = v + strcspn(v, " \t\"'`\\");
		if (*end == '"' || *end == '\'' || *end == '`' || *end == '\\')
			return "bad quoting (use KEY=\"value\")";
		if (end[strspn(end, " \t")] != '\0')
			return "unquoted value with spaces";
		*end = '\0';
	}
	if (strpbrk(v, "'`\\"))
		return "quote or backslash inside the value";
	*val = v;
	return NULL;
}

/* Whole-file checks: required keys, $VEID. */
static int conf_check(const char *path, const char *id, struct ct_conf *conf)
{
	char buf[CT_PATH_MAX];

	if (!conf->ve_root[0] || !conf->ve_private[0])
		return log_err(-EINVAL, "%s: key %s is missing", path,
			       conf->ve_root[0] ? "VE_PRIVATE" : "VE_ROOT");
	if (expand_veid(conf->ve_root, id, buf, sizeof(buf)) < 0)
		return log_err(-EINVAL, "%s: key VE_ROOT: only $VEID may follow a '$'", path);
	strcpy(conf->ve_root, buf);
	if (expand_veid(conf->ve_private, id, buf, sizeof(buf)) < 0)
		return log_err(-EINVAL, "%s: key VE_PRIVATE: only $VEID may follow a '$'", path);
	strcpy(conf->ve_private, buf);
	if (!strcmp(conf->ve_root, conf->ve_private) || !strcmp(conf->ve_root, "/") ||
	    !strcmp(conf->ve_private, "/"))
		return log_err(-EINVAL, "%s: keys VE_ROOT and VE_PRIVATE must be two different directories below /",
			       path);
	if (conf->host_ip[0] && !strcmp(conf->host_ip, conf->ip_address))
		return log_err(-EINVAL, "%s: key HOST_IP: same address as IP_ADDRESS", path);
	return 0;
}

int ct_conf_parse(const char *path, const char *id, struct ct_conf *conf)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[CT_PATH_MAX + 64], where[CT_PATH_MAX + 32], seen[ARRAY_SIZE(conf_keys)] = { 0 };
	char *key, *val;
	int lineno = 0, ret;
	size_t i;

	memset(conf, 0, sizeof(*conf));
	f = fopen(path, "re");
	if (!f)
		return log_perr(-errno, "Failed to open '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		const char *why;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f))
			return log_err(-EINVAL, "%s: line is too long", where);
		line[strcspn(line, "\n")] = '\0';
		why = split_line(line, &key, &val);
		if (why)
			return log_err(-EINVAL, "%s: key %s: %s", where, *key ? key : "(none)", why);
		if (!*key)
			continue;
		ret = ct_conf_set(conf, key, val, where);
		if (ret < 0)
			return ret;
		for (i = 0; strcmp(conf_keys[i].key, key); i++)
			;
		if (seen[i]++)
			return log_err(-EINVAL, "%s: key %s is set twice", where, key);
	}
	return conf_check(path, id, conf);
}

int ct_conf_read(struct ct *ct)
{
	char path[CT_PATH_MAX];
	int ret;

	ret = ct_path(ct, path, sizeof(path), "/etc/vzcr/conf/%s.conf", ct->id);
	if (ret < 0)
		return ret;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return log_err(-ENOENT, "CT %s does not exist (no %s)", ct->id, path);
	return ct_conf_parse(path, ct->id, &ct->conf);
}

/* Write the config (new file, then rename), every set key in table order. */
int ct_conf_write(const struct ct *ct)
{
	char path[CT_PATH_MAX], tmp[CT_PATH_MAX + 8];
	_cleanup_fclose_ FILE *f = NULL;
	size_t i;
	int ret;

	ret = ct_path(ct, path, sizeof(path), "/etc/vzcr/conf");
	if (ret < 0 || (ret = ct_mkdir_p(path, 0755)) < 0)
		return ret;
	ret = ct_path(ct, path, sizeof(path), "/etc/vzcr/conf/%s.conf", ct->id);
	if (ret < 0)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "wxe");
	if (!f)
		return log_perr(-errno, "Failed to create '%s'", tmp);
	fprintf(f, "# vzcr config of CT %s; paths are under $VZCR_ROOT\n", ct->id);
	for (i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		const char *v = (const char *)&ct->conf + conf_keys[i].off;

		if (*v)
			fprintf(f, "%s=\"%s\"\n", conf_keys[i].key, v);
	}
	if (fflush(f) != 0 || ferror(f)) {
		unlink(tmp);
		return log_perr(-EIO, "Failed to write '%s'", tmp);
	}
	if (rename(tmp, path) < 0)
		return log_perr(-errno, "Failed to rename '%s'", tmp);
	return 0;
}

int ct_root_dir(const struct ct *ct, char *buf, size_t len)
{
	return ct_path(ct, buf, len, "%s", ct->conf.ve_root);
}

int ct_private_dir(const struct ct *ct, char *buf, size_t len)
{
	return ct_path(ct, buf, len, "%s", ct->conf.ve_private);
}
