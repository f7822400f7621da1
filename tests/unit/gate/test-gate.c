/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sero-bash-gate.h"
#include "sero-shell-parse.h"

/* A fake person: answers a fixed way, or never, and counts questions. */

typedef enum
{
  FAKE_ALLOW,
  FAKE_BLOCK,
  FAKE_CANCEL,
  FAKE_NEVER,
  FAKE_DEAF,     /* never answers and ignores being withdrawn */
} FakeMode;

#define FAKE_TYPE_BRIDGE (fake_bridge_get_type ())
G_DECLARE_FINAL_TYPE (FakeBridge, fake_bridge, FAKE, BRIDGE, GObject)

struct _FakeBridge
{
  GObject   parent_instance;
  FakeMode  mode;
  guint     asked;
  char     *last_prompt;
  char     *last_id;
  GTask    *pending;   /* FAKE_DEAF: the question, to answer late */
};

static void fake_bridge_iface_init (SeroFeedbackBridgeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeBridge, fake_bridge, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SERO_TYPE_FEEDBACK_BRIDGE, fake_bridge_iface_init))

static void
on_never_cancelled (GCancellable *cancellable,
                    GTask        *task)
{
  g_task_return_int (task, SERO_PERMISSION_CANCELLED);
}

static void
fake_ask (SeroFeedbackBridge  *bridge,
          const char          *question_id,
          const char          *prompt,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  FakeBridge *self = FAKE_BRIDGE (bridge);
  GTask *task = g_task_new (self, NULL, callback, user_data);

  self->asked++;
  g_free (self->last_prompt);
  self->last_prompt = g_strdup (prompt);
  g_free (self->last_id);
  self->last_id = g_strdup (question_id);

  switch (self->mode)
    {
    case FAKE_ALLOW:  g_task_return_int (task, SERO_PERMISSION_ALLOW); break;
    case FAKE_BLOCK:  g_task_return_int (task, SERO_PERMISSION_BLOCK); break;
    case FAKE_CANCEL: g_task_return_int (task, SERO_PERMISSION_CANCELLED); break;
    case FAKE_DEAF:   g_set_object (&self->pending, task); break;
    case FAKE_NEVER:
    default:
      /* Silence: only the gate's own cancellation (its timeout) ends it. */
      g_cancellable_connect (cancellable, G_CALLBACK (on_never_cancelled), g_object_ref (task), g_object_unref);
      break;
    }

  g_object_unref (task);
}

static SeroPermissionAnswer
fake_finish (SeroFeedbackBridge  *bridge,
             GAsyncResult        *result,
             GError             **error)
{
  return (SeroPermissionAnswer) g_task_propagate_int (G_TASK (result), error);
}

static void
fake_bridge_iface_init (SeroFeedbackBridgeInterface *iface)
{
  iface->ask_permission_async = fake_ask;
  iface->ask_permission_finish = fake_finish;
}

static void
fake_bridge_finalize (GObject *object)
{
  FakeBridge *self = FAKE_BRIDGE (object);

  g_free (self->last_prompt);
  g_free (self->last_id);
  g_clear_object (&self->pending);
  G_OBJECT_CLASS (fake_bridge_parent_class)->finalize (object);
}

static void
fake_bridge_class_init (FakeBridgeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_bridge_finalize;
}

static void
fake_bridge_init (FakeBridge *self)
{
}

static FakeBridge *
fake_bridge_new (FakeMode mode)
{
  FakeBridge *self = g_object_new (FAKE_TYPE_BRIDGE, NULL);

  self->mode = mode;
  return self;
}

#define CWD  "/workspace/project"
#define ROOT "/workspace"

static void
on_checked (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(SeroGateDecision **) user_data = sero_bash_gate_check_finish (SERO_BASH_GATE (object), result, NULL);
}

static SeroGateDecision *
check (SeroBashGate *gate,
       const char   *command,
       FakeBridge   *bridge,
       GCancellable *cancellable)
{
  SeroGateDecision *decision = NULL;

  sero_bash_gate_check_async (gate, command, ROOT, CWD, bridge ? SERO_FEEDBACK_BRIDGE (bridge) : NULL,
                              cancellable, on_checked, &decision);
  while (decision == NULL)
    g_main_context_iteration (NULL, TRUE);

  return decision;
}

static char *
decode (const char *field)
{
  g_auto(GStrv) parts = g_strsplit (field, "\\n", -1);

  return g_strjoinv ("\n", parts);
}

static void
test_corpus (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "unit", "gate", "corpus.tsv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(GString) failures = g_string_new (NULL);
  guint counts[3] = { 0 };

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *command = NULL;
      g_autoptr(SeroGateDecision) decision = NULL;
      const char *expected;
      const char *got;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      fields = g_strsplit (lines[i], "\t", 2);
      g_assert_nonnull (fields[1]);
      expected = fields[0];
      command = decode (fields[1]);

      if (g_str_equal (expected, "block"))
        {
          decision = check (gate, command, NULL, NULL);
          counts[2]++;
          if (decision->verdict == SERO_GATE_BLOCK &&
              !g_str_equal (decision->reason, "Dangerous command blocked (no UI for confirmation)"))
            g_string_append_printf (failures, "  line %u: %s: wrong reason “%s”\n", i + 1, command, decision->reason);
        }
      else
        {
          decision = sero_bash_gate_classify (gate, command, ROOT, CWD);
          counts[g_str_equal (expected, "allow") ? 0 : 1]++;
        }

      got = sero_gate_verdict_to_string (decision->verdict);
      if (!g_str_equal (got, expected))
        g_string_append_printf (failures, "  line %u: expected %s, got %s (%s: %s) for: %s\n",
                                i + 1, expected, got, decision->rule, decision->reason, command);
    }

  g_test_message ("corpus: %u allow, %u ask, %u block", counts[0], counts[1], counts[2]);
  g_assert_cmpuint (counts[0] + counts[1] + counts[2], >=, 200);
  if (failures->len > 0)
    g_error ("corpus mismatches:\n%s", failures->str);
}

/* The original's six unit cases (reference §2.6), all with cwd
 * /workspace/project and a bridge present. */
static void
test_original_cases (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  static const char *blocked[] = {
    "rm -rf data .sero",
    "rm -rf src",
    "rm -rf dist data",
    "node -e 'for (const p of [\"data\",\".sero\"]) fs.rmSync(p,{recursive:true,force:true})'",
  };

  /* 1: generated folder, allowed, nobody asked. */
  {
    g_autoptr(FakeBridge) bridge = fake_bridge_new (FAKE_BLOCK);
    g_autoptr(SeroGateDecision) decision = check (gate, "rm -rf build/cache", bridge, NULL);

    g_assert_cmpint (decision->verdict, ==, SERO_GATE_ALLOW);
    g_assert_cmpuint (bridge->asked, ==, 0);
  }

  /* 2–5: asked once, the person blocks. */
  for (guint i = 0; i < G_N_ELEMENTS (blocked); i++)
    {
      g_autoptr(FakeBridge) bridge = fake_bridge_new (FAKE_BLOCK);
      g_autoptr(SeroGateDecision) decision = check (gate, blocked[i], bridge, NULL);
      g_autofree char *expected_prompt = g_strdup_printf ("⚠️ Dangerous command detected:\n\n  %s\n\nAllow this command to run?",
                                                         blocked[i]);

      g_assert_cmpuint (bridge->asked, ==, 1);
      g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
      g_assert_cmpstr (decision->reason, ==, "Blocked by user — dangerous command rejected");
      g_assert_cmpstr (bridge->last_prompt, ==, expected_prompt);
      g_assert_true (g_str_has_prefix (bridge->last_id, "ufq-"));
    }

  /* 6: nobody answers; blocked when the timeout runs out. The timeout is
   * shortened here instead of waiting 30 s. */
  {
    g_autoptr(FakeBridge) bridge = fake_bridge_new (FAKE_NEVER);
    g_autoptr(SeroGateDecision) decision = NULL;

    g_assert_cmpuint (sero_bash_gate_get_timeout_ms (gate), ==, 30000);
    sero_bash_gate_set_timeout_ms (gate, 50);
    decision = check (gate, "sudo rm -rf /tmp/outside-workspace", bridge, NULL);
    g_assert_cmpuint (bridge->asked, ==, 1);
    g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
    g_assert_cmpstr (decision->reason, ==, "Dangerous command blocked — approval timed out after 1s");
  }
}

static void
test_ask_outcomes (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(FakeBridge) allow = fake_bridge_new (FAKE_ALLOW);
  g_autoptr(FakeBridge) cancel = fake_bridge_new (FAKE_CANCEL);
  g_autoptr(FakeBridge) never = fake_bridge_new (FAKE_NEVER);
  g_autoptr(SeroGateDecision) allowed = check (gate, "sudo apt-get update", allow, NULL);
  g_autoptr(SeroGateDecision) cancelled = check (gate, "sudo apt-get update", cancel, NULL);
  g_autoptr(SeroGateDecision) nobody = check (gate, "sudo apt-get update", NULL, NULL);
  g_autoptr(SeroGateDecision) aborted = NULL;
  g_autoptr(SeroGateDecision) timed_default = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_cmpint (allowed->verdict, ==, SERO_GATE_ALLOW);
  g_assert_cmpstr (allowed->rule, ==, "privilege-escalation");

  g_assert_cmpint (cancelled->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpstr (cancelled->reason, ==, "Blocked by user — cancelled");

  g_assert_cmpint (nobody->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpstr (nobody->reason, ==, "Dangerous command blocked (no UI for confirmation)");

  /* The caller cancels (an aborted turn): the question is withdrawn. */
  g_cancellable_cancel (cancellable);
  aborted = check (gate, "sudo apt-get update", never, cancellable);
  g_assert_cmpint (aborted->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpstr (aborted->reason, ==, "Blocked by user — cancelled");

  /* The reason names the configured timeout. */
  sero_bash_gate_set_timeout_ms (gate, 1500);
  timed_default = check (gate, "reboot", never, NULL);
  g_assert_cmpstr (timed_default->reason, ==, "Dangerous command blocked — approval timed out after 2s");
}

/* A bridge that neither answers nor notices being withdrawn must not hang
 * the agent: the timeout completes the check on its own, and the answer
 * that arrives later changes nothing. */
static void
test_deaf_bridge (void)
{
  g_autoptr(SeroBashGate) gate = g_object_new (SERO_TYPE_BASH_GATE, "timeout-ms", 20, NULL);
  g_autoptr(FakeBridge) deaf = fake_bridge_new (FAKE_DEAF);
  g_autoptr(SeroGateDecision) decision = check (gate, "sudo reboot", deaf, NULL);

  g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpstr (decision->reason, ==, "Dangerous command blocked — approval timed out after 1s");
  g_assert_nonnull (deaf->pending);

  g_task_return_int (deaf->pending, SERO_PERMISSION_ALLOW);
  g_clear_object (&deaf->pending);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
}

/* The caller cancelling while the question is open blocks at once. */
static void
test_cancel_while_asking (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(FakeBridge) deaf = fake_bridge_new (FAKE_DEAF);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SeroGateDecision *decision = NULL;

  sero_bash_gate_check_async (gate, "rm -rf src", ROOT, CWD, SERO_FEEDBACK_BRIDGE (deaf), cancellable,
                              on_checked, &decision);
  while (deaf->asked == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  while (decision == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpstr (decision->reason, ==, "Blocked by user — cancelled");
  g_assert_cmpstr (decision->rule, ==, "rm-recursive");
  sero_gate_decision_free (decision);

  g_task_return_int (deaf->pending, SERO_PERMISSION_ALLOW);
  g_clear_object (&deaf->pending);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_path_checked (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(SeroGateDecision **) user_data = sero_bash_gate_check_finish (SERO_BASH_GATE (object), result, NULL);
}

static void
test_paths (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autofree char *root = g_dir_make_tmp ("sero-gate-root-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("sero-gate-out-XXXXXX", NULL);
  g_autofree char *escape = g_build_filename (root, "escape", NULL);
  g_autofree char *escaped_file = g_build_filename (root, "escape", "f.txt", NULL);
  g_autofree char *inner = g_build_filename (root, "src", "new", "f.txt", NULL);
  g_autoptr(FakeBridge) bridge = fake_bridge_new (FAKE_BLOCK);
  SeroGateDecision *decision = NULL;

  g_assert_cmpint (symlink (outside, escape), ==, 0);

  g_assert_true (sero_bash_gate_path_is_inside (inner, root, root));
  g_assert_true (sero_bash_gate_path_is_inside ("src/../README.md", root, root));
  g_assert_false (sero_bash_gate_path_is_inside ("../elsewhere", root, root));
  g_assert_false (sero_bash_gate_path_is_inside ("/etc/passwd", root, root));
  /* A symlink inside the workspace that points out of it is outside. */
  g_assert_false (sero_bash_gate_path_is_inside (escaped_file, root, root));

  sero_bash_gate_check_path_async (gate, "write", escaped_file, root, root, SERO_FEEDBACK_BRIDGE (bridge),
                                   NULL, on_path_checked, &decision);
  while (decision == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (decision->verdict, ==, SERO_GATE_BLOCK);
  g_assert_cmpuint (bridge->asked, ==, 1);
  g_assert_nonnull (strstr (bridge->last_prompt, outside));
  g_clear_pointer (&decision, sero_gate_decision_free);

  sero_bash_gate_check_path_async (gate, "edit", inner, root, root, SERO_FEEDBACK_BRIDGE (bridge),
                                   NULL, on_path_checked, &decision);
  while (decision == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (decision->verdict, ==, SERO_GATE_ALLOW);
  g_assert_cmpuint (bridge->asked, ==, 1);
  g_clear_pointer (&decision, sero_gate_decision_free);
}

static void
test_cleanup_through_symlink (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autofree char *root = g_dir_make_tmp ("sero-gate-root-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("sero-gate-out-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (root, "build", NULL);
  g_autofree char *real_dist = g_build_filename (root, "dist", NULL);
  g_autoptr(SeroGateDecision) through_link = NULL;
  g_autoptr(SeroGateDecision) plain = NULL;

  /* build/ is a link to a folder outside the workspace: not generated. */
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_assert_cmpint (g_mkdir (real_dist, 0700), ==, 0);

  through_link = sero_bash_gate_classify (gate, "rm -rf build", root, root);
  g_assert_cmpint (through_link->verdict, ==, SERO_GATE_ASK);
  plain = sero_bash_gate_classify (gate, "rm -rf dist", root, root);
  g_assert_cmpint (plain->verdict, ==, SERO_GATE_ALLOW);
}

static void
test_worktree_root (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(SeroGateDecision) decision =
    sero_bash_gate_classify (gate, "rm -rf node_modules", NULL, "/home/dev/app/.sero/worktrees/feature-x");
  g_autofree char *root = sero_bash_gate_workspace_root ("/home/dev/app/.sero/worktrees/feature-x/sub");
  g_autofree char *container = sero_bash_gate_workspace_root ("/workspace/pkg");

  g_assert_cmpstr (root, ==, "/home/dev/app");
  g_assert_cmpstr (container, ==, "/workspace");
  g_assert_cmpint (decision->verdict, ==, SERO_GATE_ALLOW);
}

static void
test_parser (void)
{
  g_autoptr(SeroShellScript) script =
    sero_shell_parse ("FOO=1 r''m -f \"a b\" 'c'$HOME *.txt 2>/dev/null | grep x && echo $(id -u) `date`");
  SeroShellCommand *first, *second, *third;

  g_assert_null (script->error);
  /* rm, grep, id, date (nested), echo */
  g_assert_cmpuint (script->commands->len, ==, 5);

  first = g_ptr_array_index (script->commands, 0);
  g_assert_cmpuint (first->assignments->len, ==, 1);
  g_assert_cmpstr (sero_shell_command_word (first, 0)->text, ==, "rm");
  g_assert_cmpstr (sero_shell_command_word (first, 2)->text, ==, "a b");
  g_assert_true (sero_shell_command_word (first, 3)->flags & SERO_SHELL_WORD_EXPANSION);
  g_assert_true (sero_shell_command_word (first, 4)->flags & SERO_SHELL_WORD_GLOB);
  g_assert_cmpuint (first->redirects->len, ==, 1);

  second = g_ptr_array_index (script->commands, 1);
  g_assert_cmpstr (sero_shell_command_word (second, 0)->text, ==, "grep");
  g_assert_cmpuint (second->pipeline, ==, first->pipeline);
  g_assert_cmpuint (second->pipe_position, ==, 1);

  third = g_ptr_array_index (script->commands, 2);
  g_assert_true (third->nested);
  g_assert_cmpstr (sero_shell_command_word (third, 0)->text, ==, "id");
}

static void
test_parser_constructs (void)
{
  /* Here-document bodies are kept for the gate; $'…' is decoded. */
  {
    g_autoptr(SeroShellScript) script = sero_shell_parse ("sh <<'EOF'\nrm -rf /\nEOF\n$'\\x72m' x");
    SeroShellCommand *sh, *rm;
    SeroShellRedirect *redirect;

    g_assert_null (script->error);
    g_assert_cmpuint (script->commands->len, ==, 2);
    sh = g_ptr_array_index (script->commands, 0);
    redirect = g_ptr_array_index (sh->redirects, 0);
    g_assert_cmpstr (redirect->op, ==, "<<");
    g_assert_cmpstr (redirect->body, ==, "rm -rf /\n");
    rm = g_ptr_array_index (script->commands, 1);
    g_assert_cmpstr (sero_shell_command_word (rm, 0)->text, ==, "rm");
  }

  /* Substitutions inside ${…} and $((…)) are commands too. */
  {
    g_autoptr(SeroShellScript) script = sero_shell_parse ("echo ${a:-$(id)} $(( $(nproc) * 2 ))");

    g_assert_null (script->error);
    g_assert_cmpuint (script->commands->len, ==, 3);
  }

  /* case, for, [[ ]] and function: only the commands in them are. */
  {
    g_autoptr(SeroShellScript) script =
      sero_shell_parse ("case $x in a|b) ls;; *) pwd;; esac; for i in x y; do echo $i; done; "
                        "[[ $a == b ]] && true; function f { date; }");
    const char *expected[] = { "ls", "pwd", "echo", "true", "date" };

    g_assert_null (script->error);
    g_assert_cmpuint (script->commands->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        SeroShellCommand *command = g_ptr_array_index (script->commands, i);
        g_assert_cmpstr (sero_shell_command_word (command, 0)->text, ==, expected[i]);
      }
  }

  /* Nesting is bounded, not a stack overflow. */
  {
    g_autoptr(GString) deep = g_string_new ("echo ");
    g_autoptr(SeroShellScript) script = NULL;

    for (guint i = 0; i < 10000; i++)
      g_string_append (deep, "${a:-");
    script = sero_shell_parse (deep->str);
    g_assert_nonnull (script->error);
  }
}

/* Nested wrappers are bounded work: asked, not a hang. */
static void
test_bounded_work (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(SeroGateDecision) decision = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 200; i++)
    g_string_append (line, "flock x ");
  g_string_append (line, "ls");
  decision = sero_bash_gate_classify (gate, line->str, ROOT, CWD);
  g_assert_cmpstr (decision->rule, ==, "too-complex");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* Found by the fuzzer. */
static void
test_fuzz_regressions (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autoptr(SeroGateDecision) invalid = sero_bash_gate_classify (gate, "php(\377:|:&\377 -A", ROOT, CWD);

  g_assert_cmpint (invalid->verdict, ==, SERO_GATE_ASK);
  g_assert_cmpstr (invalid->rule, ==, "unparseable");
}

static void
test_cli (void)
{
  static const struct { const char *command; int status; const char *verdict; gboolean interactive; } cases[] = {
    { "ls -la", 0, "allow", FALSE },
    { "sudo ls", 4, "block", FALSE },
    { "sudo ls", 3, "ask", TRUE },
    { "rm -rf build", 0, "allow", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      int status = 0;
      char *argv[] = { (char *) g_getenv ("SERO_EXE"), (char *) "gate", (char *) "check",
                       (char *) "--cwd", (char *) CWD, (char *) "--root", (char *) ROOT,
                       cases[i].interactive ? (char *) "--interactive" : (char *) "--",
                       cases[i].interactive ? (char *) "--" : (char *) cases[i].command,
                       cases[i].interactive ? (char *) cases[i].command : NULL, NULL };

      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
      g_assert_cmpint (WEXITSTATUS (status), ==, cases[i].status);
      g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "verdict"),
                       ==, cases[i].verdict);
    }

  /* --stdin: one object per line. */
  {
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *shell = g_strdup_printf ("printf 'ls\\nrm -fr /\\n' | '%s' gate check --stdin --cwd %s",
                                              g_getenv ("SERO_EXE"), CWD);
    int status = 0;

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "/bin/sh", (char *) "-c", shell, NULL }, NULL,
                                 G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL));
    lines = g_strsplit (g_strstrip (out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_nonnull (strstr (lines[0], "\"allow\""));
    g_assert_nonnull (strstr (lines[1], "\"block\""));
  }

  /* Bad usage. */
  {
    int status = 0;
    char *argv[] = { (char *) g_getenv ("SERO_EXE"), (char *) "gate", (char *) "inspect", NULL };

    g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  }
}

/* A home folder under the temporary folder (as in CI, where HOME lives in
 * a build folder under /tmp) is still home: its dotfiles are not scratch. */
static void
test_home_under_tmp (void)
{
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autofree char *home = g_dir_make_tmp ("sero-gate-home-XXXXXX", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("HOME"));
  g_autoptr(SeroGateDecision) dotfile = NULL;
  g_autoptr(SeroGateDecision) scratch = NULL;

  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  dotfile = check (gate, "cat /dev/null > ~/.bashrc", NULL, NULL);
  scratch = check (gate, "echo hi > /tmp/sero-gate-scratch.log", NULL, NULL);
  if (saved != NULL)
    g_setenv ("HOME", saved, TRUE);
  else
    g_unsetenv ("HOME");
  g_rmdir (home);

  g_assert_cmpstr (dotfile->rule, ==, "truncate-outside");
  g_assert_cmpint (scratch->verdict, ==, SERO_GATE_ALLOW);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/gate/corpus", test_corpus);
  g_test_add_func ("/sero/gate/original-cases", test_original_cases);
  g_test_add_func ("/sero/gate/ask-outcomes", test_ask_outcomes);
  g_test_add_func ("/sero/gate/deaf-bridge", test_deaf_bridge);
  g_test_add_func ("/sero/gate/cancel-while-asking", test_cancel_while_asking);
  g_test_add_func ("/sero/gate/paths", test_paths);
  g_test_add_func ("/sero/gate/home-under-tmp", test_home_under_tmp);
  g_test_add_func ("/sero/gate/cleanup-through-symlink", test_cleanup_through_symlink);
  g_test_add_func ("/sero/gate/worktree-root", test_worktree_root);
  g_test_add_func ("/sero/gate/parser", test_parser);
  g_test_add_func ("/sero/gate/parser-constructs", test_parser_constructs);
  g_test_add_func ("/sero/gate/bounded-work", test_bounded_work);
  g_test_add_func ("/sero/gate/fuzz-regressions", test_fuzz_regressions);
  g_test_add_func ("/sero/gate/cli", test_cli);

  return g_test_run ();
}
