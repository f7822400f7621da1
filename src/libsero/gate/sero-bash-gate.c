/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-bash-gate"

#include "config.h"

#include <stdlib.h>

#include "sero-bash-gate.h"
#include "sero-shell-parse.h"

/* The bash permission gate: a focused guard on the agent's shell commands,
 * not a sandbox. It parses the line (sero-shell-parse.c), looks through
 * wrappers (sudo, env, timeout, xargs, sh -c, eval …) to every command that
 * would run, and asks a person before anything on its list of risky
 * operations. The original matched regular expressions on the raw text, so
 * `rm -fr /` and `rm -f -r ~` passed while `echo "please reboot later"`
 * asked (reference §2.2); reading the words fixes both.
 *
 * Decision order, as in the original: a plain recursive rm of generated
 * folders inside the workspace is allowed silently; anything risky asks;
 * the rest is allowed. Where nobody can be asked, asking means blocking. */

#define MAX_DEPTH 8
#define DEFAULT_TIMEOUT_MS 30000

/* Wrappers nest (sudo sudo …, flock flock …) and scripts are re-read at
 * every level, so the work one check may do is bounded: bytes parsed plus
 * words looked at, a fixed allowance plus a multiple of the line's length.
 * Past it the line is "too complex" and asks; no real command comes near
 * (the fuzzer found lines that would otherwise take minutes). */
#define WORK_ALLOWANCE (64 * 1024)
#define WORK_PER_BYTE  16

/* Generated folders a plain `rm -r` may clean without asking. This is the
 * original's latest list (reference §2.3): each is output of a build or
 * test tool that the same tool recreates, so deleting it loses nothing:
 *   build, dist           — bundlers and compilers (vite, tsc, webpack, meson)
 *   coverage              — test coverage reports (c8, istanbul, jest)
 *   node_modules          — npm/pnpm/yarn installs, restored from the lockfile
 *   .cache, .vite         — tool caches
 *   .verification         — the original's verification runs' scratch folder
 * Nothing is added: being inside the workspace does not make user data
 * disposable, which is why the original narrowed the rule to this list. */
const char * const sero_bash_gate_generated_folders[] = {
  "build", "dist", "coverage", "node_modules", ".cache", ".vite", ".verification", NULL
};

struct _SeroBashGate
{
  GObject parent_instance;

  guint   timeout_ms;
};

G_DEFINE_FINAL_TYPE (SeroBashGate, sero_bash_gate, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TIMEOUT_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_BOXED_TYPE (SeroGateDecision, sero_gate_decision, sero_gate_decision_copy, sero_gate_decision_free)

SeroGateDecision *
sero_gate_decision_copy (const SeroGateDecision *decision)
{
  SeroGateDecision *copy = g_new0 (SeroGateDecision, 1);

  copy->verdict = decision->verdict;
  copy->rule = g_strdup (decision->rule);
  copy->reason = g_strdup (decision->reason);
  return copy;
}

void
sero_gate_decision_free (SeroGateDecision *decision)
{
  if (decision == NULL)
    return;
  g_free (decision->rule);
  g_free (decision->reason);
  g_free (decision);
}

const char *
sero_gate_verdict_to_string (SeroGateVerdict verdict)
{
  switch (verdict)
    {
    case SERO_GATE_ALLOW: return "allow";
    case SERO_GATE_ASK:   return "ask";
    case SERO_GATE_BLOCK: return "block";
    default:              return "block";
    }
}

static SeroGateDecision *
decision_new (SeroGateVerdict  verdict,
              const char      *rule,
              const char      *reason)
{
  SeroGateDecision *decision = g_new0 (SeroGateDecision, 1);

  decision->verdict = verdict;
  decision->rule = g_strdup (rule);
  decision->reason = g_strdup (reason);
  return decision;
}

/* What one classification learns: the first risky finding wins. */
typedef struct
{
  const char *root;
  const char *cwd;
  const char *line;
  guint       depth;
  gsize       work;
  gsize       work_limit;
  char       *rule;
  char       *reason;
} Ctx;

static void check_text (Ctx *ctx, const char *text);
static void check_code (Ctx *ctx, const char *name, const char *code);
static void check_words (Ctx *ctx, SeroShellWord **words, guint n, const SeroShellCommand *command);

G_GNUC_PRINTF (3, 4)
static void
flag (Ctx        *ctx,
      const char *rule,
      const char *format,
      ...)
{
  va_list args;

  if (ctx->rule != NULL)
    return;

  ctx->rule = g_strdup (rule);
  va_start (args, format);
  ctx->reason = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Charges @amount to the check's work; FALSE (and the line asks) once the
 * allowance is spent. */
static gboolean
spend (Ctx   *ctx,
       gsize  amount)
{
  ctx->work += amount;
  if (ctx->work <= ctx->work_limit)
    return TRUE;

  flag (ctx, "too-complex", "The command is too complex to check");
  return FALSE;
}

static char *
command_name (const char *word)
{
  const char *slash = strrchr (word, '/');

  return g_ascii_strdown (slash ? slash + 1 : word, -1);
}

static gboolean
is_option (SeroShellWord *word)
{
  return word->text[0] == '-' && word->text[1] != '\0';
}

static gboolean
is_shell (const char *name)
{
  static const char * const shells[] = { "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", NULL };

  return g_strv_contains (shells, name);
}

static gboolean
is_block_device (const char *path)
{
  static const char * const prefixes[] = {
    "/dev/sd", "/dev/nvme", "/dev/disk", "/dev/mmcblk", "/dev/vd", "/dev/hd", "/dev/xvd",
    "/dev/rdisk", "/dev/mapper/", "/dev/dm-", "/dev/loop", NULL
  };

  for (guint i = 0; prefixes[i]; i++)
    if (g_str_has_prefix (path, prefixes[i]))
      return TRUE;

  return FALSE;
}

static char *
join_words (SeroShellWord **words,
            guint           n)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (joined, ' ');
      g_string_append (joined, words[i]->text);
    }

  return g_string_free (joined, FALSE);
}

static char *
home_dir (void)
{
  const char *home = g_getenv ("HOME");

  return g_strdup (home && home[0] ? home : g_get_home_dir ());
}

/* Resolves @path as the shell would (relative to @cwd, ~ to home) and then
 * through symlinks for the part that exists, so a link cannot smuggle a
 * target out of the workspace. */
static char *
resolve_path (const char *path,
              const char *cwd)
{
  g_autofree char *home = home_dir ();
  g_autofree char *joined = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *tail = NULL;
  char *prefix;

  if (g_str_equal (path, "~"))
    joined = g_strdup (home);
  else if (g_str_has_prefix (path, "~/"))
    joined = g_build_filename (home, path + 2, NULL);
  else
    joined = g_strdup (path);

  canonical = g_canonicalize_filename (joined, cwd ? cwd : "/");

  /* Find the longest existing prefix and resolve its links. */
  prefix = g_strdup (canonical);
  tail = g_strdup ("");
  for (;;)
    {
      char *real = realpath (prefix, NULL);

      if (real != NULL)
        {
          char *result = tail[0] ? g_build_filename (real, tail, NULL) : g_strdup (real);

          free (real);
          g_free (prefix);
          return result;
        }

      if (g_str_equal (prefix, "/"))
        break;

      {
        g_autofree char *base = g_path_get_basename (prefix);
        char *parent = g_path_get_dirname (prefix);
        char *new_tail = tail[0] ? g_build_filename (base, tail, NULL) : g_strdup (base);

        g_free (prefix);
        g_free (tail);
        prefix = parent;
        tail = new_tail;
      }
    }

  g_free (prefix);
  return g_steal_pointer (&canonical);
}

static gboolean
strictly_inside (const char *path,
                 const char *root)
{
  gsize len = strlen (root);

  if (g_str_equal (root, "/"))
    return path[0] == '/' && path[1] != '\0';

  return strncmp (path, root, len) == 0 && path[len] == '/';
}

/**
 * sero_bash_gate_workspace_root:
 * @cwd: where the command runs
 *
 * The workspace root for @cwd when none is given: the part before
 * /.sero/worktrees/ for a worktree, /workspace inside a container, else
 * @cwd itself (reference §2.3).
 *
 * Returns: (transfer full): the root
 */
char *
sero_bash_gate_workspace_root (const char *cwd)
{
  const char *worktrees;

  if (cwd == NULL)
    return NULL;

  if ((worktrees = strstr (cwd, "/.sero/worktrees/")) != NULL)
    return g_strndup (cwd, worktrees - cwd);

  if (g_str_equal (cwd, "/workspace") || g_str_has_prefix (cwd, "/workspace/"))
    return g_strdup ("/workspace");

  return g_strdup (cwd);
}

/**
 * sero_bash_gate_path_is_inside:
 *
 * Whether @path (relative to @cwd) resolves, through symlinks, to @root or
 * inside it.
 */
gboolean
sero_bash_gate_path_is_inside (const char *path,
                               const char *root,
                               const char *cwd)
{
  g_autofree char *resolved = NULL;
  g_autofree char *resolved_root = NULL;

  g_return_val_if_fail (path != NULL && root != NULL, FALSE);

  resolved = resolve_path (path, cwd ? cwd : root);
  resolved_root = resolve_path (root, "/");

  return g_str_equal (resolved, resolved_root) || strictly_inside (resolved, resolved_root);
}

static void
check_rm (Ctx            *ctx,
          SeroShellWord **words,
          guint           n)
{
  gboolean recursive = FALSE;
  gboolean after_options = FALSE;
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();

  for (guint i = 1; i < n; i++)
    {
      SeroShellWord *word = words[i];

      if (!after_options && g_str_equal (word->text, "--"))
        after_options = TRUE;
      else if (!after_options && g_str_has_prefix (word->text, "--"))
        recursive |= g_str_equal (word->text, "--recursive");
      else if (!after_options && is_option (word))
        recursive |= strchr (word->text, 'r') != NULL || strchr (word->text, 'R') != NULL;
      else
        {
          g_ptr_array_add (targets, word->text);
          if (word->flags & SERO_SHELL_WORD_EXPANSION)
            flag (ctx, "rm-dynamic-target", "Deletes a path that is only known when it runs (%s)", word->text);
        }
    }

  if (recursive)
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (targets, NULL);
      list = g_strjoinv (" ", (char **) targets->pdata);
      flag (ctx, "rm-recursive", "Deletes recursively: rm -r %s", list[0] ? list : "(from its input)");
    }
}

static gboolean
mode_is_world_writable (const char *mode)
{
  gsize len = strlen (mode);
  gboolean octal = len > 0;

  for (gsize i = 0; i < len; i++)
    if (mode[i] < '0' || mode[i] > '7')
      octal = FALSE;

  if (octal)
    {
      /* The last digit is "others": 2, 3, 6 or 7 lets everyone write. */
      char others = mode[len - 1];
      return len >= 3 && (others == '2' || others == '3' || others == '6' || others == '7');
    }

  /* Symbolic: o+w, a+w, +w, ugo=rwx … (who is o, a or empty; op adds w) */
  {
    g_auto(GStrv) clauses = g_strsplit (mode, ",", -1);

    for (guint i = 0; clauses[i]; i++)
      {
        const char *c = clauses[i];
        gboolean others = FALSE, who = FALSE;

        while (*c && strchr ("ugoa", *c))
          {
            others |= (*c == 'o' || *c == 'a');
            who = TRUE;
            c++;
          }
        if (!who)
          others = TRUE;
        if ((*c == '+' || *c == '=') && strchr (c, 'w') && others)
          return TRUE;
      }
  }

  return FALSE;
}

static gboolean
is_root_or_home (const char *text,
                 const char *cwd)
{
  g_autofree char *home = home_dir ();
  g_autofree char *resolved = NULL;

  if (g_str_equal (text, "/") || g_str_equal (text, "~") || g_str_equal (text, "~/"))
    return TRUE;

  resolved = resolve_path (text, cwd);
  return g_str_equal (resolved, "/") || g_str_equal (resolved, home);
}

static void
check_chmod_chown (Ctx            *ctx,
                   const char     *name,
                   SeroShellWord **words,
                   guint           n)
{
  gboolean recursive = FALSE;
  gboolean is_chmod = g_str_equal (name, "chmod");
  gboolean mode_seen = FALSE;

  for (guint i = 1; i < n; i++)
    recursive |= g_str_equal (words[i]->text, "--recursive") ||
                 (is_option (words[i]) && words[i]->text[1] != '-' && strchr (words[i]->text, 'R'));

  for (guint i = 1; i < n; i++)
    {
      const char *text = words[i]->text;

      if (is_option (words[i]) && !(is_chmod && (text[1] == 'w' || text[1] == 'r' || text[1] == 'x')))
        continue;

      if (strstr (text, "777") != NULL)
        flag (ctx, is_chmod ? "chmod-777" : "chown-777", "%s grants 777: %s", name, text);

      if (is_chmod && !mode_seen)
        {
          mode_seen = TRUE;
          if (mode_is_world_writable (text))
            flag (ctx, "chmod-world-writable", "Makes files writable by everyone: chmod %s", text);
          continue;
        }

      if (recursive && is_root_or_home (text, ctx->cwd))
        flag (ctx, "recursive-permissions-root", "Changes permissions or owners of everything under %s", text);
    }
}

static void
check_truncate (Ctx            *ctx,
                SeroShellWord **words,
                guint           n)
{
  for (guint i = 1; i < n; i++)
    {
      const char *text = words[i]->text;

      if (g_str_equal (text, "-s") || g_str_equal (text, "-r") || g_str_equal (text, "--size") ||
          g_str_equal (text, "--reference"))
        {
          i++;
          continue;
        }
      if (is_option (words[i]))
        continue;

      if ((words[i]->flags & SERO_SHELL_WORD_EXPANSION) || ctx->root == NULL ||
          !sero_bash_gate_path_is_inside (text, ctx->root, ctx->cwd))
        flag (ctx, "truncate-outside", "Truncates a file outside the workspace: %s", text);
    }
}

/* Interpreters whose one-liners the gate reads for deletions and for the
 * shell commands they start. */
static gboolean
is_interpreter (const char *name)
{
  static const char * const interpreters[] = {
    "node", "nodejs", "deno", "bun", "ruby", "perl", "php", NULL
  };

  return g_strv_contains (interpreters, name) || g_str_has_prefix (name, "python");
}

/* The option letters that take the program text as their argument, per
 * language: python -c, node -e/-p, perl -e/-E, ruby -e, php -r. */
static const char *
code_option_letters (const char *name)
{
  if (g_str_has_prefix (name, "python"))
    return "c";
  if (g_str_equal (name, "perl"))
    return "eE";
  if (g_str_equal (name, "ruby"))
    return "e";
  if (g_str_equal (name, "php"))
    return "r";
  return "ep";
}

/* The quoted strings of a one-liner's code: what it would hand a shell. */
static GPtrArray *
code_literals (const char *code)
{
  GPtrArray *literals = g_ptr_array_new_with_free_func (g_free);

  for (const char *c = code; *c; c++)
    {
      char quote = *c;
      GString *literal;

      if (quote != '\'' && quote != '"' && quote != '`')
        continue;

      literal = g_string_new (NULL);
      for (c++; *c && *c != quote; c++)
        {
          if (*c == '\\' && c[1] != '\0')
            c++;
          g_string_append_c (literal, *c);
        }
      g_ptr_array_add (literals, g_string_free (literal, FALSE));
      if (*c == '\0')
        break;
    }

  return literals;
}

/* A piece of a one-liner's code, read as shell: only definite findings
 * count. A fragment that merely looks dynamic ("${x}" in a JavaScript
 * template) or does not parse is not a reason to ask. */
static void
check_fragment (Ctx        *ctx,
                const char *text)
{
  static const char * const vague[] = {
    "dynamic-command", "dynamic-script", "rm-dynamic-target", "unparseable", "pipe-to-shell", NULL
  };
  Ctx sub = *ctx;

  sub.rule = NULL;
  sub.reason = NULL;
  check_text (&sub, text);
  ctx->work = sub.work;

  if (sub.rule != NULL && !g_strv_contains (vague, sub.rule))
    flag (ctx, sub.rule, "%s", sub.reason);

  g_free (sub.rule);
  g_free (sub.reason);
}

/* Code in Node, Python, Ruby, Perl or PHP: recursive deletes by their own
 * APIs, and shell commands it starts (os.system("rm -rf /"),
 * execSync('sudo …'), subprocess.run(["rm", "-rf", "/"])). */
static void
check_code (Ctx        *ctx,
            const char *name,
            const char *code)
{
  static const char * const deleting[] = {
    "rmSync", "rmdirSync", "unlinkSync", "fs.rm(", "fs.rmdir(", "fs.promises.rm", "rimraf", "fse.remove",
    "shutil.rmtree", "os.removedirs", "rmtree", "remove_tree", "FileUtils.rm", "rm_rf", "rm_r",
    "remove_dir", "File::Path", "unlink(", NULL
  };
  static const char * const shelling[] = {
    "system", "exec", "spawn", "popen", "subprocess", "child_process", "shell_exec", "passthru",
    "`", "%x", "qx", "Command(", NULL
  };
  gboolean shells_out = FALSE;

  if (ctx->rule != NULL || !spend (ctx, strlen (code)))
    return;

  for (guint j = 0; deleting[j]; j++)
    if (strstr (code, deleting[j]) != NULL)
      {
        flag (ctx, "script-recursive-delete", "A %s one-liner deletes files (%s)", name, deleting[j]);
        return;
      }

  for (guint j = 0; shelling[j] && !shells_out; j++)
    shells_out = strstr (code, shelling[j]) != NULL;

  if (shells_out && ctx->depth < MAX_DEPTH)
    {
      g_autoptr(GPtrArray) literals = code_literals (code);
      g_autofree char *joined = NULL;

      for (guint i = 0; i < literals->len; i++)
        check_fragment (ctx, g_ptr_array_index (literals, i));

      /* subprocess.run(["rm", "-rf", "/"]), spawnSync('rm', ['-rf', '/']):
       * the words are separate strings, and the program need not be the
       * first string in the code. */
      g_ptr_array_add (literals, NULL);
      for (guint i = 0; i + 1 < literals->len && ctx->rule == NULL; i++)
        {
          g_free (joined);
          joined = g_strjoinv (" ", (char **) literals->pdata + i);
          check_fragment (ctx, joined);
        }
    }
}

/* Skips a wrapper's own options; returns the index of the wrapped command,
 * or n when there is none. @with_argument lists options that take one. */
static guint
skip_options (SeroShellWord      **words,
              guint                n,
              guint                start,
              const char * const  *with_argument)
{
  guint i = start;

  while (i < n && is_option (words[i]))
    {
      const char *text = words[i]->text;

      if (g_str_equal (text, "--"))
        return i + 1;
      if (with_argument != NULL && g_strv_contains (with_argument, text))
        i++;
      i++;
    }

  /* An option that wants an argument may be the last word. */
  return MIN (i, n);
}

static void
check_find (Ctx                    *ctx,
            SeroShellWord         **words,
            guint                   n,
            const SeroShellCommand *command)
{
  for (guint i = 1; i < n; i++)
    {
      const char *text = words[i]->text;

      if (g_str_equal (text, "-delete"))
        flag (ctx, "find-delete", "find deletes what it matches (-delete)");
      else if (g_str_equal (text, "-exec") || g_str_equal (text, "-execdir") ||
               g_str_equal (text, "-ok") || g_str_equal (text, "-okdir"))
        {
          guint end = i + 1;

          while (end < n && !g_str_equal (words[end]->text, ";") && !g_str_equal (words[end]->text, "+"))
            end++;
          if (end > i + 1)
            {
              g_autofree char *exec_name = command_name (words[i + 1]->text);

              if (strstr (words[i + 1]->text, "{}") != NULL)
                flag (ctx, "dynamic-command", "find runs the files it matches as commands");

              if (g_str_equal (exec_name, "rm") || g_str_equal (exec_name, "shred") ||
                  g_str_equal (exec_name, "unlink") || g_str_equal (exec_name, "rmdir"))
                flag (ctx, "find-delete", "find runs %s on what it matches", exec_name);
              check_words (ctx, words + i + 1, end - i - 1, command);
            }
          i = end;
        }
    }
}

static void
check_git (Ctx            *ctx,
           SeroShellWord **words,
           guint           n)
{
  static const char * const with_argument[] = { "-C", "-c", "--git-dir", "--work-tree", "--namespace", NULL };
  guint sub = skip_options (words, n, 1, with_argument);

  if (sub >= n || !g_str_equal (words[sub]->text, "clean"))
    return;

  for (guint i = sub + 1; i < n; i++)
    {
      const char *text = words[i]->text;

      if (g_str_equal (text, "--force") ||
          (text[0] == '-' && text[1] != '-' && strchr (text, 'f') != NULL))
        {
          flag (ctx, "git-clean", "git clean deletes untracked files (%s)", text);
          return;
        }
    }
}

/* Where a shell or an interpreter takes its program from. */
typedef enum
{
  PROGRAM_FILE,      /* a script file named by an operand (or a module) */
  PROGRAM_ARGUMENT,  /* -c / -e: the word at the returned index */
  PROGRAM_STDIN,     /* standard input: a pipe, here-document or here-string */
} ProgramSource;

static ProgramSource
shell_program (SeroShellWord **words,
               guint           n,
               guint          *index)
{
  gboolean dash_c = FALSE, dash_s = FALSE;
  guint i;

  for (i = 1; i < n; i++)
    {
      const char *text = words[i]->text;

      if (g_str_equal (text, "--") || g_str_equal (text, "-"))
        {
          i++;
          break;
        }
      if ((text[0] != '-' && text[0] != '+') || text[1] == '\0')
        break;
      if (text[0] == '-' && text[1] == '-')
        {
          if (g_str_equal (text, "--rcfile") || g_str_equal (text, "--init-file"))
            i++;
          continue;
        }
      /* Clusters: -c and -s anywhere (-lc, -ec); -o and -O take an
       * option name (bash -o pipefail -c …). */
      for (const char *c = text + 1; *c; c++)
        {
          if (*c == 'c')
            dash_c = TRUE;
          else if (*c == 's')
            dash_s = TRUE;
          else if (*c == 'o' || *c == 'O')
            i++;
        }
    }

  *index = MIN (i, n);
  if (dash_c)
    return PROGRAM_ARGUMENT;
  if (dash_s || i >= n)
    return PROGRAM_STDIN;
  return PROGRAM_FILE;
}

static ProgramSource
interpreter_program (const char      *name,
                     SeroShellWord  **words,
                     guint            n,
                     guint           *index)
{
  const char *letters = code_option_letters (name);

  for (guint i = 1; i < n; i++)
    {
      const char *text = words[i]->text;
      gsize len = strlen (text);

      if (g_str_equal (text, "-"))
        break;
      if (text[0] != '-' || len < 2)
        {
          *index = i;
          return PROGRAM_FILE;
        }
      if (g_str_equal (text, "--"))
        {
          *index = i + 1;
          return i + 1 < n ? PROGRAM_FILE : PROGRAM_STDIN;
        }
      if (g_str_equal (text, "--eval") || g_str_equal (text, "--print") ||
          (text[1] != '-' && strchr (letters, text[len - 1]) != NULL))
        {
          *index = i + 1;
          return i + 1 < n ? PROGRAM_ARGUMENT : PROGRAM_STDIN;
        }
      /* python -m runs a module, a file by another name. */
      if (g_str_has_prefix (name, "python") && g_str_has_prefix (text, "-m"))
        {
          *index = i;
          return PROGRAM_FILE;
        }
    }

  *index = n;
  return PROGRAM_STDIN;
}

/* A shell or interpreter reading its program from standard input: what a
 * here-document or here-string gives it is that program. */
static void
check_program_input (Ctx                    *ctx,
                     const char             *name,
                     gboolean                shell,
                     const SeroShellCommand *command)
{
  if (command == NULL)
    return;

  for (guint i = 0; i < command->redirects->len; i++)
    {
      SeroShellRedirect *redirect = g_ptr_array_index (command->redirects, i);

      if (redirect->body == NULL)
        continue;
      if (redirect->target != NULL && g_str_equal (redirect->op, "<<<") &&
          (redirect->target->flags & SERO_SHELL_WORD_SUBSTITUTION))
        flag (ctx, "dynamic-script", "%s runs a script produced by another command", name);
      if (shell)
        check_text (ctx, redirect->body);
      else
        check_code (ctx, name, redirect->body);
    }
}

static void
check_shell_interpreter (Ctx                    *ctx,
                         const char             *name,
                         SeroShellWord         **words,
                         guint                   n,
                         const SeroShellCommand *command)
{
  guint index = 0;

  switch (shell_program (words, n, &index))
    {
    case PROGRAM_ARGUMENT:
      if (index >= n)
        return;
      /* The script's own $VAR and $(…) were kept as written (or as
       * placeholders), so reading it again finds them where they stand. A
       * script that is itself the output of a command cannot be read. */
      if (words[index]->flags & SERO_SHELL_WORD_SUBSTITUTION)
        flag (ctx, "dynamic-script", "%s -c runs a script produced by another command", name);
      check_text (ctx, words[index]->text);
      break;

    case PROGRAM_FILE:
      /* bash <(curl …): the "file" is another command's output. */
      if (index < n && (words[index]->flags & SERO_SHELL_WORD_SUBSTITUTION))
        flag (ctx, "dynamic-script", "%s runs a script produced by another command", name);
      break;

    case PROGRAM_STDIN:
    default:
      check_program_input (ctx, name, TRUE, command);
      break;
    }
}

static void
check_interpreter (Ctx                    *ctx,
                   const char             *name,
                   SeroShellWord         **words,
                   guint                   n,
                   const SeroShellCommand *command)
{
  guint index = 0;

  /* Every word, not just the program: options and their arguments are
   * too many to model per language, and a deletion API named anywhere in
   * a one-liner's words is worth a question. */
  for (guint i = 1; i < n && ctx->rule == NULL; i++)
    check_code (ctx, name, words[i]->text);

  switch (interpreter_program (name, words, n, &index))
    {
    case PROGRAM_ARGUMENT:
    case PROGRAM_FILE:
      if (index < n && (words[index]->flags & SERO_SHELL_WORD_SUBSTITUTION))
        flag (ctx, "dynamic-script", "%s runs a script produced by another command", name);
      break;

    case PROGRAM_STDIN:
    default:
      check_program_input (ctx, name, FALSE, command);
      break;
    }
}

/* Wrappers whose option grammar is too varied to model (unshare, nsenter,
 * firejail …): the wrapped command is tried at the first few operands. */
static void
check_loose_wrapper (Ctx                    *ctx,
                     SeroShellWord         **words,
                     guint                   n,
                     const SeroShellCommand *command)
{
  guint tried = 0;

  for (guint i = 1; i < n && tried < 3 && ctx->rule == NULL; i++)
    {
      if (is_option (words[i]))
        continue;
      check_words (ctx, words + i, n - i, command);
      tried++;
    }
}

static void
check_rimraf (Ctx            *ctx,
              SeroShellWord **words,
              guint           n)
{
  g_autofree char *list = join_words (words + 1, n - 1);

  /* rimraf --help deletes nothing; any operand is a tree to delete. */
  for (guint i = 1; i < n; i++)
    if (!is_option (words[i]))
      {
        flag (ctx, "rm-recursive", "Deletes recursively: rimraf %s", list);
        return;
      }
}

/* One simple command, as words (so wrappers and find -exec can recurse on a
 * slice). */
static void
check_words (Ctx                    *ctx,
             SeroShellWord         **words,
             guint                   n,
             const SeroShellCommand *command)
{
  g_autofree char *name = NULL;

  if (n == 0 || ctx->rule != NULL || !spend (ctx, n))
    return;

  if (words[0]->flags & (SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_GLOB))
    {
      flag (ctx, "dynamic-command", "The command to run is only known when it runs (%s)", words[0]->text);
      return;
    }

  name = command_name (words[0]->text);

  if (g_str_equal (name, "sudo") || g_str_equal (name, "doas"))
    {
      static const char * const with_argument[] = { "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", NULL };

      flag (ctx, "privilege-escalation", "Runs a command with administrator rights (%s)", name);
      {
        guint inner = skip_options (words, n, 1, with_argument);
        check_words (ctx, words + inner, n - inner, command);
      }
      return;
    }

  if (g_str_equal (name, "su") || g_str_equal (name, "pkexec") || g_str_equal (name, "run0") ||
      g_str_equal (name, "sudoedit"))
    {
      flag (ctx, "privilege-escalation", "Runs a command with administrator rights (%s)", name);
      for (guint i = 1; i + 1 < n; i++)
        if (g_str_equal (words[i]->text, "-c") || g_str_equal (words[i]->text, "--command"))
          check_text (ctx, words[i + 1]->text);
      if (!g_str_equal (name, "su"))
        check_words (ctx, words + 1, n - 1, command);
      return;
    }

  if (g_str_equal (name, "env"))
    {
      static const char * const with_argument[] = { "-u", "--unset", "-C", "--chdir", "-S", "--split-string", NULL };
      guint i = 1;

      while (i < n)
        {
          const char *text = words[i]->text;

          if (g_str_equal (text, "-S") || g_str_equal (text, "--split-string"))
            {
              if (i + 1 < n)
                check_text (ctx, words[i + 1]->text);
              return;
            }
          if (g_str_has_prefix (text, "--split-string="))
            {
              check_text (ctx, text + strlen ("--split-string="));
              return;
            }
          if (g_str_has_prefix (text, "-S"))
            {
              check_text (ctx, text + 2);
              return;
            }
          if (g_str_equal (text, "--"))
            {
              i++;
              break;
            }
          if (is_option (words[i]))
            i += g_strv_contains (with_argument, text) ? 2 : 1;
          else if (strchr (text, '=') != NULL && text[0] != '=')
            i++;
          else
            break;
        }
      check_words (ctx, words + i, n > i ? n - i : 0, command);
      return;
    }

  if (g_str_equal (name, "command") || g_str_equal (name, "builtin"))
    {
      guint i = 1;

      /* command -v / -V only looks a name up. */
      for (; i < n && is_option (words[i]); i++)
        if (g_str_equal (words[i]->text, "-v") || g_str_equal (words[i]->text, "-V"))
          return;
      check_words (ctx, words + i, n - i, command);
      return;
    }

  if (g_str_equal (name, "exec") || g_str_equal (name, "nohup") || g_str_equal (name, "time") ||
      g_str_equal (name, "setsid") || g_str_equal (name, "stdbuf") || g_str_equal (name, "nice") ||
      g_str_equal (name, "ionice") || g_str_equal (name, "chrt") || g_str_equal (name, "unbuffer") ||
      g_str_equal (name, "caffeinate") || g_str_equal (name, "systemd-run"))
    {
      static const char * const with_argument[] = { "-a", "-n", "-c", "-p", "-f", "-i", "-o", "-e", "-u", NULL };
      guint i = skip_options (words, n, 1, with_argument);

      /* nice -n takes a number; chrt takes a priority before the command. */
      if (g_str_equal (name, "chrt") && i < n && g_ascii_isdigit (words[i]->text[0]))
        i++;
      check_words (ctx, words + i, n - i, command);
      return;
    }

  if (g_str_equal (name, "strace") || g_str_equal (name, "ltrace"))
    {
      static const char * const with_argument[] = {
        "-a", "-b", "-e", "-E", "-I", "-o", "-O", "-p", "-P", "-s", "-S", "-u", "-U", "-X", NULL
      };
      guint i = skip_options (words, n, 1, with_argument);

      check_words (ctx, words + i, n - i, command);
      return;
    }

  if (g_str_equal (name, "timeout"))
    {
      static const char * const with_argument[] = { "-s", "--signal", "-k", "--kill-after", NULL };
      guint i = skip_options (words, n, 1, with_argument);

      if (i < n)
        i++;  /* the duration */
      check_words (ctx, words + i, n > i ? n - i : 0, command);
      return;
    }

  if (g_str_equal (name, "xargs"))
    {
      static const char * const with_argument[] = { "-I", "-n", "-P", "-L", "-s", "-d", "-E", "-a", NULL };
      const char *replace = NULL;
      guint i = skip_options (words, n, 1, with_argument);

      for (guint j = 1; j < i; j++)
        if (g_str_equal (words[j]->text, "-I") && j + 1 < i)
          replace = words[j + 1]->text;
        else if (g_str_has_prefix (words[j]->text, "-I") || g_str_has_prefix (words[j]->text, "--replace"))
          replace = strchr (words[j]->text, '=') ? strchr (words[j]->text, '=') + 1 : words[j]->text + 2;
        else if (g_str_equal (words[j]->text, "-i"))
          replace = "{}";

      /* xargs builds the command line from its input: a shell whose
       * script comes from there (xargs sh -c, xargs -I{} sh -c '{}') runs
       * whatever was piped in. */
      if (i < n)
        {
          g_autofree char *inner = command_name (words[i]->text);
          guint index = 0;

          if (replace != NULL && replace[0] != '\0' && strstr (words[i]->text, replace) != NULL)
            flag (ctx, "dynamic-command", "xargs takes the command to run from its input");
          else if (is_shell (inner) && shell_program (words + i, n - i, &index) == PROGRAM_ARGUMENT &&
                   (index >= n - i || (replace != NULL && replace[0] != '\0' &&
                                       strstr (words[i + index]->text, replace) != NULL)))
            flag (ctx, "dynamic-script", "xargs runs a script taken from its input");
          else if (g_str_equal (inner, "eval"))
            flag (ctx, "dynamic-script", "xargs runs a script taken from its input");
        }

      check_words (ctx, words + i, n - i, command);
      return;
    }

  if (g_str_equal (name, "busybox"))
    {
      check_words (ctx, words + 1, n - 1, command);
      return;
    }

  /* watch and ssh hand their words to a shell, joined by spaces. */
  if (g_str_equal (name, "watch"))
    {
      static const char * const with_argument[] = { "-n", "--interval", "-q", "--equexit", NULL };
      guint i = skip_options (words, n, 1, with_argument);
      g_autofree char *script = i < n ? join_words (words + i, n - i) : NULL;

      if (script != NULL)
        check_text (ctx, script);
      return;
    }

  if (g_str_equal (name, "ssh"))
    {
      static const char * const with_argument[] = {
        "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
        "-R", "-S", "-W", "-w", "-B", "-P", NULL
      };
      guint i = skip_options (words, n, 1, with_argument) + 1;  /* past the host */
      g_autofree char *script = i < n ? join_words (words + i, n - i) : NULL;

      if (script != NULL)
        check_text (ctx, script);
      return;
    }

  if (g_str_equal (name, "flock") || g_str_equal (name, "script"))
    {
      /* flock FILE -c 'cmd', script -qc 'cmd'; else flock FILE cmd … */
      for (guint i = 1; i + 1 < n; i++)
        if (g_str_equal (words[i]->text, "--command") ||
            (is_option (words[i]) && words[i]->text[1] != '-' && g_str_has_suffix (words[i]->text, "c")))
          {
            check_text (ctx, words[i + 1]->text);
            return;
          }
      check_loose_wrapper (ctx, words, n, command);
      return;
    }

  if (g_str_equal (name, "chroot") || g_str_equal (name, "unshare") || g_str_equal (name, "nsenter") ||
      g_str_equal (name, "setpriv") || g_str_equal (name, "firejail") || g_str_equal (name, "fakeroot") ||
      g_str_equal (name, "valgrind") || g_str_equal (name, "torsocks") || g_str_equal (name, "proxychains") ||
      g_str_equal (name, "parallel"))
    {
      check_loose_wrapper (ctx, words, n, command);
      return;
    }

  /* Package runners start a package's program by name: npx rimraf dist. */
  if (g_str_equal (name, "npx") || g_str_equal (name, "bunx") || g_str_equal (name, "pnpx") ||
      ((g_str_equal (name, "npm") || g_str_equal (name, "pnpm") || g_str_equal (name, "yarn")) && n > 1 &&
       (g_str_equal (words[1]->text, "exec") || g_str_equal (words[1]->text, "x") ||
        g_str_equal (words[1]->text, "dlx"))))
    {
      static const char * const with_argument[] = { "-p", "--package", "-w", "--workspace", NULL };
      guint start = g_str_has_suffix (name, "x") ? 1 : 2;
      guint i;

      for (i = start; i + 1 < n; i++)
        if (g_str_equal (words[i]->text, "-c") || g_str_equal (words[i]->text, "--call"))
          {
            check_text (ctx, words[i + 1]->text);
            return;
          }
      i = skip_options (words, n, start, with_argument);
      check_words (ctx, words + i, n - i, command);
      return;
    }

  if (g_str_equal (name, "eval"))
    {
      g_autofree char *script = join_words (words + 1, n - 1);

      for (guint i = 1; i < n; i++)
        if (words[i]->flags & SERO_SHELL_WORD_SUBSTITUTION)
          flag (ctx, "dynamic-script", "eval runs a script produced by another command");
      check_text (ctx, script);
      return;
    }

  if (g_str_equal (name, "source") || g_str_equal (name, "."))
    {
      if (n > 1 && (words[1]->flags & SERO_SHELL_WORD_SUBSTITUTION))
        flag (ctx, "dynamic-script", "%s runs a script produced by another command", name);
      else if (n > 1 && (g_str_equal (words[1]->text, "/dev/stdin") || g_str_equal (words[1]->text, "-")))
        check_program_input (ctx, name, TRUE, command);
      return;
    }

  /* An alias runs its value later, where the gate will not see it. */
  if (g_str_equal (name, "alias"))
    {
      for (guint i = 1; i < n; i++)
        {
          const char *eq = strchr (words[i]->text, '=');

          if (eq != NULL)
            check_text (ctx, eq + 1);
        }
      return;
    }

  if (is_shell (name))
    {
      check_shell_interpreter (ctx, name, words, n, command);
      return;
    }

  if (is_interpreter (name))
    {
      check_interpreter (ctx, name, words, n, command);
      return;
    }

  /* awk 'BEGIN { system("rm -rf /") }' */
  if (g_str_equal (name, "awk") || g_str_equal (name, "gawk") || g_str_equal (name, "mawk") ||
      g_str_equal (name, "nawk") || g_str_equal (name, "busybox-awk"))
    {
      for (guint i = 1; i < n && ctx->rule == NULL; i++)
        check_code (ctx, name, words[i]->text);
      return;
    }

  if (g_str_equal (name, "rm"))
    check_rm (ctx, words, n);
  else if (g_str_equal (name, "rimraf"))
    check_rimraf (ctx, words, n);
  else if (g_str_equal (name, "find"))
    check_find (ctx, words, n, command);
  else if (g_str_equal (name, "git"))
    check_git (ctx, words, n);
  else if (g_str_equal (name, "shred") || g_str_equal (name, "srm") || g_str_equal (name, "wipe"))
    flag (ctx, "shred", "Overwrites files beyond recovery (%s)", name);
  else if (g_str_equal (name, "truncate"))
    check_truncate (ctx, words, n);
  else if (g_str_equal (name, "dd"))
    {
      for (guint i = 1; i < n; i++)
        if (g_str_has_prefix (words[i]->text, "of="))
          {
            flag (ctx, is_block_device (words[i]->text + 3) ? "block-device" : "dd-of",
                  "dd writes raw data to %s", words[i]->text + 3);
            break;
          }
    }
  else if (g_str_has_prefix (name, "mkfs") || g_str_equal (name, "mke2fs") || g_str_equal (name, "mkswap") ||
           g_str_equal (name, "wipefs") || g_str_equal (name, "mkdosfs") || g_str_equal (name, "mkntfs") ||
           g_str_equal (name, "mkexfatfs") || g_str_equal (name, "newfs"))
    flag (ctx, "mkfs", "Formats a disk or partition (%s)", name);
  else if (g_str_equal (name, "shutdown") || g_str_equal (name, "reboot") || g_str_equal (name, "halt") ||
           g_str_equal (name, "poweroff"))
    flag (ctx, "power", "Shuts the machine down or restarts it (%s)", name);
  else if ((g_str_equal (name, "init") || g_str_equal (name, "telinit")) && n > 1 &&
           (g_str_equal (words[1]->text, "0") || g_str_equal (words[1]->text, "6")))
    flag (ctx, "power", "Shuts the machine down or restarts it (%s %s)", name, words[1]->text);
  else if (g_str_equal (name, "systemctl") || g_str_equal (name, "loginctl"))
    {
      for (guint i = 1; i < n; i++)
        if (g_strv_contains ((const char *[]) { "poweroff", "reboot", "halt", "kexec", "suspend", NULL },
                             words[i]->text))
          flag (ctx, "power", "Shuts the machine down or restarts it (%s %s)", name, words[i]->text);
    }
  else if (g_str_equal (name, "chmod") || g_str_equal (name, "chown") || g_str_equal (name, "chgrp"))
    check_chmod_chown (ctx, name, words, n);
  else if (g_str_equal (name, "mv"))
    {
      for (guint i = 1; i < n; i++)
        if (g_str_equal (words[i]->text, "/dev/null"))
          flag (ctx, "mv-dev-null", "Moves files to /dev/null, which destroys them");
    }

  /* Writing onto a block device, whatever the tool. */
  if (g_str_equal (name, "cp") || g_str_equal (name, "tee") || g_str_equal (name, "install") ||
      g_str_equal (name, "mv") || g_str_equal (name, "cat") || g_str_equal (name, "pv") ||
      g_str_equal (name, "fdisk") || g_str_equal (name, "sfdisk") || g_str_equal (name, "gdisk") ||
      g_str_equal (name, "sgdisk") || g_str_equal (name, "cfdisk") || g_str_equal (name, "parted") ||
      g_str_equal (name, "blkdiscard") || g_str_equal (name, "diskutil"))
    for (guint i = 1; i < n; i++)
      if (is_block_device (words[i]->text))
        flag (ctx, "block-device", "Writes to the block device %s", words[i]->text);
}

/* Looks through the wrappers a pipeline stage may carry (sudo, env, …) to
 * the command that stage really runs; NULL when it is none of ours. */
static SeroShellWord **
unwrap_stage (SeroShellCommand *command,
              guint            *n_out)
{
  static const char * const wrappers[] = {
    "sudo", "doas", "env", "command", "exec", "nohup", "time", "timeout", "nice", "stdbuf", NULL
  };
  SeroShellWord **words = (SeroShellWord **) command->words->pdata;
  guint n = command->words->len;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;

      if (is_option (words[i]) || strchr (words[i]->text, '=') != NULL || g_ascii_isdigit (words[i]->text[0]))
        continue;
      name = command_name (words[i]->text);
      if (!g_strv_contains (wrappers, name))
        {
          *n_out = n - i;
          return words + i;
        }
    }

  *n_out = 0;
  return NULL;
}

static gboolean
is_download (SeroShellCommand *command)
{
  guint n = 0;
  SeroShellWord **words = unwrap_stage (command, &n);
  g_autofree char *name = words ? command_name (words[0]->text) : NULL;

  return name != NULL &&
         (g_str_equal (name, "curl") || g_str_equal (name, "wget") || g_str_equal (name, "fetch") ||
          g_str_equal (name, "http") || g_str_equal (name, "https") || g_str_equal (name, "aria2c"));
}

/* The shell or interpreter this pipeline stage runs with its program read
 * from standard input (… | sh, … | python3 -), or NULL. */
static char *
stage_reads_program (SeroShellCommand *command,
                     gboolean         *shell)
{
  guint n = 0, index = 0;
  SeroShellWord **words = unwrap_stage (command, &n);
  g_autofree char *name = words ? command_name (words[0]->text) : NULL;

  if (name == NULL)
    return NULL;

  *shell = is_shell (name);
  if (*shell && shell_program (words, n, &index) == PROGRAM_STDIN)
    return g_steal_pointer (&name);
  if (is_interpreter (name) && interpreter_program (name, words, n, &index) == PROGRAM_STDIN)
    return g_steal_pointer (&name);
  if ((g_str_equal (name, "source") || g_str_equal (name, ".")) && n > 1 &&
      (g_str_equal (words[1]->text, "/dev/stdin") || g_str_equal (words[1]->text, "-")))
    {
      *shell = TRUE;
      return g_steal_pointer (&name);
    }

  return NULL;
}

/* The text a pipeline stage prints when the gate can know it without
 * running anything: echo or printf of plain words, or cat of a
 * here-document. NULL when it cannot. */
static char *
stage_output (SeroShellCommand *command)
{
  SeroShellWord **words = (SeroShellWord **) command->words->pdata;
  guint n = command->words->len;
  g_autofree char *name = n > 0 ? command_name (words[0]->text) : NULL;
  guint first = 1;

  if (name == NULL)
    return NULL;

  for (guint i = 1; i < n; i++)
    if ((words[i]->flags & (SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_GLOB)) ||
        strchr (words[i]->text, '\\') != NULL)
      return NULL;

  if (g_str_equal (name, "echo"))
    {
      /* dash's echo reads escapes even without -e, hence no backslashes above. */
      while (first < n && (g_str_equal (words[first]->text, "-n") || g_str_equal (words[first]->text, "-e") ||
                           g_str_equal (words[first]->text, "-E")))
        first++;
      return join_words (words + first, n - first);
    }

  if (g_str_equal (name, "printf") && n == 2 && strchr (words[1]->text, '%') == NULL)
    return g_strdup (words[1]->text);

  if (g_str_equal (name, "cat") && n == 1)
    for (guint i = 0; i < command->redirects->len; i++)
      {
        SeroShellRedirect *redirect = g_ptr_array_index (command->redirects, i);

        if (redirect->body != NULL)
          return g_strdup (redirect->body);
      }

  return NULL;
}

/* A program read from a pipe: a download (curl … | sh) is never shown to
 * anyone; echo 'ls' | sh is read like sh -c 'ls'; anything else is a
 * script the gate cannot see. */
static void
check_pipe_into_program (Ctx             *ctx,
                         SeroShellScript *script,
                         SeroShellCommand *command)
{
  SeroShellCommand *previous = NULL;
  gboolean shell = FALSE;
  g_autofree char *name = stage_reads_program (command, &shell);
  g_autofree char *text = NULL;

  if (name == NULL)
    return;

  for (guint j = 0; j < script->commands->len; j++)
    {
      SeroShellCommand *before = g_ptr_array_index (script->commands, j);

      if (before->pipeline != command->pipeline || before->pipe_position >= command->pipe_position)
        continue;
      if (is_download (before))
        {
          flag (ctx, "pipe-to-shell", "Runs a downloaded script without showing it first");
          return;
        }
      if (!before->nested && before->pipe_position + 1 == command->pipe_position)
        previous = before;
    }

  text = previous ? stage_output (previous) : NULL;
  if (text == NULL)
    flag (ctx, "pipe-to-shell", "%s runs a script produced by another command without showing it first", name);
  else if (shell)
    check_text (ctx, text);
  else
    check_code (ctx, name, text);
}

/* Paths output may go to without anyone minding: the bit bucket, the
 * terminal, and the temporary folders that are everyone's scratch space
 * (agents write logs there all day; asking for that would teach people to
 * click Allow). */
static gboolean
is_scratch_path (const char *path)
{
  static const char * const exact[] = {
    "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty", NULL
  };
  static const char * const prefixes[] = {
    "/tmp/", "/var/tmp/", "/dev/shm/", "/dev/fd/", "/proc/self/fd/", NULL
  };
  const char *tmp = g_get_tmp_dir ();
  g_autofree char *home = home_dir ();
  g_autofree char *real_home = realpath (home, NULL);

  if (g_strv_contains (exact, path))
    return TRUE;
  /* The home folder holds the user's dotfiles even when it lives under a
   * temporary folder (a throwaway account, a test run): never scratch. */
  for (const char *h = home; h != NULL; h = (h == home ? real_home : NULL))
    if (g_str_equal (path, h) || (g_str_has_prefix (path, h) && path[strlen (h)] == '/'))
      return FALSE;
  for (guint i = 0; prefixes[i]; i++)
    if (g_str_has_prefix (path, prefixes[i]))
      return TRUE;

  return g_str_has_prefix (path, tmp) && path[strlen (tmp)] == '/';
}

static void
check_redirects (Ctx              *ctx,
                 SeroShellCommand *command)
{
  for (guint i = 0; i < command->redirects->len; i++)
    {
      SeroShellRedirect *redirect = g_ptr_array_index (command->redirects, i);
      SeroShellWord *target = redirect->target;
      gboolean overwrites;

      if (target == NULL || strchr (redirect->op, '>') == NULL)
        continue;

      if (is_block_device (target->text))
        {
          flag (ctx, "block-device", "Writes to the block device %s", target->text);
          continue;
        }

      /* > file empties the file first: the shell's own truncate. >> only
       * appends; >&2 and 2>&- are descriptors, not files. */
      overwrites = strstr (redirect->op, ">>") == NULL;
      if (!overwrites || target->text[0] == '\0' || g_str_equal (target->text, "-") ||
          strspn (target->text, "0123456789") == strlen (target->text) ||
          (target->flags & SERO_SHELL_WORD_EXPANSION) || ctx->root == NULL)
        continue;

      {
        g_autofree char *resolved = resolve_path (target->text, ctx->cwd ? ctx->cwd : ctx->root);

        if (!is_scratch_path (resolved) && !sero_bash_gate_path_is_inside (resolved, ctx->root, "/"))
          flag (ctx, "truncate-outside", "Overwrites a file outside the workspace: %s", target->text);
      }
    }
}

static gboolean
looks_like_fork_bomb (const char *text)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* name() { name | name & }; (or `function name { … }`, or
       * name & name): a function that starts two copies of itself, each
       * of which does the same. */
      GRegex *compiled =
        g_regex_new ("(?|\\bfunction\\s+([A-Za-z_:.][A-Za-z0-9_:.]*)\\s*(?:\\(\\s*\\))?"
                     "|([A-Za-z_:.][A-Za-z0-9_:.]*)\\s*\\(\\s*\\))"
                     "\\s*\\{[^}]*?(?<![A-Za-z0-9_:.])\\1\\s*[|&]\\s*\\1(?![A-Za-z0-9_:.])",
                     G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, compiled);
    }

  return g_regex_match (regex, text, 0, NULL);
}

static void
check_text (Ctx        *ctx,
            const char *text)
{
  g_autoptr(SeroShellScript) script = NULL;

  if (ctx->rule != NULL || !spend (ctx, strlen (text)))
    return;

  if (ctx->depth >= MAX_DEPTH)
    {
      flag (ctx, "too-deep", "The command nests shells too deeply to check");
      return;
    }

  ctx->depth++;

  if (looks_like_fork_bomb (text))
    flag (ctx, "fork-bomb", "A fork bomb: a function that keeps starting copies of itself");

  script = sero_shell_parse (text);
  if (script->error != NULL)
    flag (ctx, "unparseable", "The command could not be read safely: %s", script->error);

  for (guint i = 0; i < script->commands->len && ctx->rule == NULL; i++)
    {
      SeroShellCommand *command = g_ptr_array_index (script->commands, i);

      check_redirects (ctx, command);
      check_words (ctx, (SeroShellWord **) command->words->pdata, command->words->len, command);

      if (command->pipe_position > 0)
        check_pipe_into_program (ctx, script, command);
    }

  ctx->depth--;
}

static gboolean
is_generated_target (const char *target,
                     const char *cwd,
                     const char *root)
{
  g_autofree char *resolved = resolve_path (target, cwd);
  g_autofree char *resolved_root = resolve_path (root, "/");
  g_autofree char *resolved_cwd = resolve_path (cwd, "/");
  g_auto(GStrv) parts = NULL;
  const char *relative;

  if (!strictly_inside (resolved, resolved_root))
    return FALSE;

  /* .git, or anything in or under one, is history, never scratch. */
  if (g_str_has_suffix (resolved, "/.git") || strstr (resolved, "/.git/") != NULL)
    return FALSE;

  /* The first component relative to the working folder must be generated. */
  if (!strictly_inside (resolved, resolved_cwd))
    return FALSE;
  relative = resolved + strlen (resolved_cwd) + (g_str_equal (resolved_cwd, "/") ? 0 : 1);
  parts = g_strsplit (relative, "/", 2);

  return g_strv_contains (sero_bash_gate_generated_folders, parts[0]);
}

/* The only silent allowance: the whole line is one plain recursive rm of
 * generated folders strictly inside the workspace (reference §2.3). */
static gboolean
is_workspace_cleanup (const char *text,
                      const char *root,
                      const char *cwd)
{
  /* A trailing newline (a pasted line) is not a second command. */
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(SeroShellScript) script = sero_shell_parse (stripped);
  SeroShellCommand *command;
  SeroShellWord **words;
  g_autofree char *name = NULL;
  gboolean recursive = FALSE, after_options = FALSE;
  guint targets = 0;

  if (cwd == NULL || root == NULL || script->error != NULL || script->commands->len != 1 ||
      script->n_operators != 0)
    return FALSE;

  command = g_ptr_array_index (script->commands, 0);
  if (command->assignments->len > 0 || command->redirects->len > 0 || command->words->len < 2)
    return FALSE;

  words = (SeroShellWord **) command->words->pdata;
  if (words[0]->flags & (SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_GLOB))
    return FALSE;
  name = command_name (words[0]->text);
  if (!g_str_equal (name, "rm"))
    return FALSE;

  for (guint i = 1; i < command->words->len; i++)
    {
      SeroShellWord *word = words[i];

      if (!after_options && g_str_equal (word->text, "--"))
        after_options = TRUE;
      else if (!after_options && g_str_equal (word->text, "--recursive"))
        recursive = TRUE;
      else if (!after_options && word->text[0] == '-' && word->text[1] != '-' && word->text[1] != '\0')
        {
          /* Only plain letter clusters (-r, -rf, -Rv); -r1 and the like are not plain. */
          for (const char *c = word->text + 1; *c; c++)
            if (!g_ascii_isalpha (*c))
              return FALSE;
          recursive |= strchr (word->text, 'r') != NULL || strchr (word->text, 'R') != NULL;
        }
      else if (!after_options && g_str_has_prefix (word->text, "--"))
        return FALSE;  /* --force, --no-preserve-root …: not plain */
      else
        {
          if (word->text[0] == '\0' ||
              (word->flags & (SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_GLOB)) ||
              strpbrk (word->text, "*?[]{}") != NULL ||
              !is_generated_target (word->text, cwd, root))
            return FALSE;
          targets++;
        }
    }

  return recursive && targets > 0;
}

/**
 * sero_bash_gate_classify:
 * @root: (nullable): the workspace root; derived from @cwd when %NULL
 * @cwd: (nullable): where the command runs
 *
 * What the gate thinks of @command, before anyone is asked.
 *
 * Returns: (transfer full): allow or ask, a rule id and a reason
 */
SeroGateDecision *
sero_bash_gate_classify (SeroBashGate *self,
                         const char   *command,
                         const char   *root,
                         const char   *cwd)
{
  g_autofree char *derived_root = NULL;
  Ctx ctx = { 0 };

  g_return_val_if_fail (SERO_IS_BASH_GATE (self), NULL);
  g_return_val_if_fail (command != NULL, NULL);

  /* Commands arrive as JSON strings, so always UTF-8; anything else is not
   * something the gate can read (and GRegex must never see it). */
  if (!g_utf8_validate (command, -1, NULL))
    return decision_new (SERO_GATE_ASK, "unparseable", "The command is not valid UTF-8 text");

  if (root == NULL || strstr (root, "/.sero/worktrees/") != NULL)
    root = derived_root = sero_bash_gate_workspace_root (root ? root : cwd);

  if (is_workspace_cleanup (command, root, cwd))
    return decision_new (SERO_GATE_ALLOW, "workspace-cleanup",
                         "Deletes generated folders inside the workspace");

  ctx.root = root;
  ctx.cwd = cwd;
  ctx.line = command;
  ctx.work_limit = WORK_ALLOWANCE + WORK_PER_BYTE * strlen (command);
  check_text (&ctx, command);

  if (ctx.rule != NULL)
    {
      SeroGateDecision *decision = decision_new (SERO_GATE_ASK, ctx.rule, ctx.reason);

      g_free (ctx.rule);
      g_free (ctx.reason);
      return decision;
    }

  return decision_new (SERO_GATE_ALLOW, "no-risk", "Nothing on the gate's list of risky operations");
}

/* One question in flight. The task completes on the first of: the
 * person's answer, the timeout, or the caller cancelling. The last two
 * complete it at once, without waiting for the bridge to notice its
 * cancellable, so a bridge that never answers cannot hang the agent
 * (the original's reason for blocking on silence). */
typedef struct
{
  GTask            *task;          /* (owned) until completed */
  SeroGateDecision *decision;
  GCancellable     *ask;           /* withdraws the question */
  GCancellable     *caller;
  GSource          *timeout;
  gulong            caller_cancelled;
  guint             timeout_ms;
} Ask;

static void
ask_free (Ask *ask)
{
  g_assert (ask->task == NULL);

  if (ask->caller_cancelled != 0)
    g_cancellable_disconnect (ask->caller, ask->caller_cancelled);
  if (ask->timeout != NULL)
    {
      g_source_destroy (ask->timeout);
      g_source_unref (ask->timeout);
    }
  sero_gate_decision_free (ask->decision);
  g_clear_object (&ask->caller);
  g_clear_object (&ask->ask);
  g_free (ask);
}

typedef enum
{
  OUTCOME_ANSWERED,
  OUTCOME_TIMED_OUT,
  OUTCOME_CALLER_CANCELLED,
} Outcome;

/* Completes the check once; later events (a late answer after the
 * timeout) only release what they hold. */
static void
ask_complete (Ask                  *ask,
              Outcome               outcome,
              SeroPermissionAnswer  answer)
{
  SeroGateDecision *decision = ask->decision;
  g_autoptr(GTask) task = g_steal_pointer (&ask->task);

  if (task == NULL)
    return;

  g_free (decision->reason);
  if (outcome == OUTCOME_TIMED_OUT)
    {
      decision->verdict = SERO_GATE_BLOCK;
      decision->reason = g_strdup_printf ("Dangerous command blocked — approval timed out after %us",
                                          (ask->timeout_ms + 999) / 1000);
    }
  else if (outcome == OUTCOME_ANSWERED && answer == SERO_PERMISSION_ALLOW)
    {
      decision->verdict = SERO_GATE_ALLOW;
      decision->reason = g_strdup ("Allowed by user");
    }
  else if (outcome == OUTCOME_ANSWERED && answer == SERO_PERMISSION_BLOCK)
    {
      decision->verdict = SERO_GATE_BLOCK;
      decision->reason = g_strdup ("Blocked by user — dangerous command rejected");
    }
  else
    {
      decision->verdict = SERO_GATE_BLOCK;
      decision->reason = g_strdup ("Blocked by user — cancelled");
    }

  /* Withdraw the question (the window dismisses its card) unless the
   * person already answered it. */
  if (outcome != OUTCOME_ANSWERED)
    g_cancellable_cancel (ask->ask);

  g_task_return_pointer (task, sero_gate_decision_copy (decision), (GDestroyNotify) sero_gate_decision_free);
}

static gboolean
on_ask_timeout (gpointer user_data)
{
  Ask *ask = user_data;

  ask_complete (ask, OUTCOME_TIMED_OUT, SERO_PERMISSION_CANCELLED);
  return G_SOURCE_REMOVE;
}

static gboolean
on_caller_cancelled_idle (gpointer user_data)
{
  Ask *ask = g_task_get_task_data (G_TASK (user_data));

  ask_complete (ask, OUTCOME_CALLER_CANCELLED, SERO_PERMISSION_CANCELLED);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     Ask          *ask)
{
  GSource *idle;

  if (ask->task == NULL)
    return;

  /* This runs in the cancelling thread, and inside g_cancellable_connect()
   * when the caller's cancellable was already cancelled: complete from the
   * check's own context instead. The idle holds the task, and so @ask. */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, on_caller_cancelled_idle, g_object_ref (ask->task), g_object_unref);
  g_source_attach (idle, g_task_get_context (ask->task));
  g_source_unref (idle);
}

static void
on_answered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;  /* keeps @ask alive */
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SeroPermissionAnswer answer;

  answer = sero_feedback_bridge_ask_permission_finish (SERO_FEEDBACK_BRIDGE (object), result, &error);
  if (error != NULL)
    answer = SERO_PERMISSION_CANCELLED;

  ask_complete (ask, OUTCOME_ANSWERED, answer);
}

static void
ask_person (SeroBashGate       *self,
            GTask              *task,
            SeroGateDecision   *decision,
            const char         *prompt,
            SeroFeedbackBridge *bridge,
            GCancellable       *cancellable)
{
  static gint counter;
  Ask *ask = g_new0 (Ask, 1);
  g_autofree char *question_id = g_strdup_printf ("ufq-%" G_GINT64_FORMAT "-%d",
                                                  g_get_real_time () / 1000, g_atomic_int_add (&counter, 1));

  ask->task = g_object_ref (task);
  ask->decision = decision;
  ask->ask = g_cancellable_new ();
  ask->timeout_ms = self->timeout_ms;
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);

  ask->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (ask->timeout, on_ask_timeout, ask, NULL);
  g_source_attach (ask->timeout, g_main_context_get_thread_default ());

  sero_feedback_bridge_ask_permission_async (bridge, question_id, prompt, ask->ask, on_answered, g_object_ref (task));

  if (cancellable != NULL)
    {
      ask->caller = g_object_ref (cancellable);
      ask->caller_cancelled = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled), ask, NULL);
    }
}

/**
 * sero_bash_gate_check_async:
 * @bridge: (nullable): how to ask a person; %NULL where nobody can be asked
 *
 * Decides whether the agent may run @command: allowed commands return at
 * once; risky ones are asked through @bridge (Allow/Block, blocked after
 * the timeout, on cancel, or when there is no bridge). The result is always
 * allow or block.
 */
void
sero_bash_gate_check_async (SeroBashGate        *self,
                            const char          *command,
                            const char          *root,
                            const char          *cwd,
                            SeroFeedbackBridge  *bridge,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SeroGateDecision *decision;
  g_autofree char *prompt = NULL;

  g_return_if_fail (SERO_IS_BASH_GATE (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_bash_gate_check_async);
  g_task_set_check_cancellable (task, FALSE);

  decision = sero_bash_gate_classify (self, command, root, cwd);
  if (decision->verdict != SERO_GATE_ASK)
    {
      g_task_return_pointer (task, decision, (GDestroyNotify) sero_gate_decision_free);
      return;
    }

  if (bridge == NULL)
    {
      decision->verdict = SERO_GATE_BLOCK;
      g_free (decision->reason);
      decision->reason = g_strdup ("Dangerous command blocked (no UI for confirmation)");
      g_task_return_pointer (task, decision, (GDestroyNotify) sero_gate_decision_free);
      return;
    }

  prompt = g_strdup_printf ("⚠️ Dangerous command detected:\n\n  %s\n\nAllow this command to run?", command);
  ask_person (self, task, decision, prompt, bridge, cancellable);
}

/**
 * sero_bash_gate_check_finish:
 *
 * Returns: (transfer full): allow or block, the rule and the reason
 */
SeroGateDecision *
sero_bash_gate_check_finish (SeroBashGate  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sero_bash_gate_check_path_async:
 * @tool: "write" or "edit", for the question
 *
 * The agent's file tools ask the same way before touching a path that
 * resolves, through symlinks, outside the workspace root (the original
 * gated bash only). Finish with sero_bash_gate_check_finish().
 */
void
sero_bash_gate_check_path_async (SeroBashGate        *self,
                                 const char          *tool,
                                 const char          *path,
                                 const char          *root,
                                 const char          *cwd,
                                 SeroFeedbackBridge  *bridge,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *prompt = NULL;
  SeroGateDecision *decision;

  g_return_if_fail (SERO_IS_BASH_GATE (self));
  g_return_if_fail (path != NULL && root != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_bash_gate_check_path_async);
  g_task_set_check_cancellable (task, FALSE);

  if (sero_bash_gate_path_is_inside (path, root, cwd))
    {
      g_task_return_pointer (task, decision_new (SERO_GATE_ALLOW, "inside-workspace", "The path is inside the workspace"),
                             (GDestroyNotify) sero_gate_decision_free);
      return;
    }

  resolved = resolve_path (path, cwd ? cwd : root);
  decision = decision_new (SERO_GATE_ASK, "outside-workspace", NULL);
  decision->reason = g_strdup_printf ("%s touches %s, outside the workspace", tool, resolved);

  if (bridge == NULL)
    {
      decision->verdict = SERO_GATE_BLOCK;
      g_free (decision->reason);
      decision->reason = g_strdup ("Write outside the workspace blocked (no UI for confirmation)");
      g_task_return_pointer (task, decision, (GDestroyNotify) sero_gate_decision_free);
      return;
    }

  prompt = g_strdup_printf ("⚠️ The agent wants to %s a file outside the workspace:\n\n  %s\n\nAllow it?", tool, resolved);
  ask_person (self, task, decision, prompt, bridge, cancellable);
}

static void
sero_bash_gate_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SeroBashGate *self = SERO_BASH_GATE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->timeout_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_bash_gate_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SeroBashGate *self = SERO_BASH_GATE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT_MS:
      sero_bash_gate_set_timeout_ms (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_bash_gate_class_init (SeroBashGateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sero_bash_gate_get_property;
  object_class->set_property = sero_bash_gate_set_property;

  /**
   * SeroBashGate:timeout-ms:
   *
   * How long a question waits for a person before the command is blocked.
   */
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL, 1, G_MAXUINT, DEFAULT_TIMEOUT_MS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_bash_gate_init (SeroBashGate *self)
{
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
}

SeroBashGate *
sero_bash_gate_new (void)
{
  return g_object_new (SERO_TYPE_BASH_GATE, NULL);
}

guint
sero_bash_gate_get_timeout_ms (SeroBashGate *self)
{
  g_return_val_if_fail (SERO_IS_BASH_GATE (self), 0);

  return self->timeout_ms;
}

void
sero_bash_gate_set_timeout_ms (SeroBashGate *self,
                               guint         timeout_ms)
{
  g_return_if_fail (SERO_IS_BASH_GATE (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->timeout_ms == timeout_ms)
    return;

  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_MS]);
}
