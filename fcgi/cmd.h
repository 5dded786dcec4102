/* Commands of the app binary other than serving, registered by handlers. */
#ifndef CMD_H
#define CMD_H

struct req;

struct command {
	const char	*name;
	const char	*help;
	int		(*fn)(int, char *[]);
};

#define COMMANDS(name) \
	static const struct command name[]; \
	static const struct command *const name##_reg \
	    __attribute__((used, section("app_commands"))) = name; \
	static const struct command name[]

/*
 * Demo data of one feature area: called by `app seed` (APP_ENV dev or
 * test only) once per demo merchant with r->m set, after the merchant,
 * its stores, tiers and staff exist. Must be safe to run twice. 0 or -1.
 */
typedef int (*seeder_fn)(struct req *);
#define SEEDER(fn) \
	static const seeder_fn fn##_seeder \
	    __attribute__((used, section("app_seeders"))) = fn

/*
 * A request context for commands that use the handler-side helpers (DB,
 * JSON) outside a web request: connects to the database.
 */
struct req;
int	 cmd_req_init(struct req *);
void	 cmd_req_done(struct req *);

#endif
