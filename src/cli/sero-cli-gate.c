/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>

#include "sero.h"
#include "sero-bash-gate.h"
#include "sero-cli.h"

#define USAGE \
  "sero gate check [--cwd DIR] [--root DIR] [--interactive] -- COMMAND | sero gate check --stdin [--cwd DIR] [--root DIR]"

/* Exit codes of `sero gate check`. */
#define EXIT_ASK   3
#define EXIT_BLOCK 4

/* Nobody can be asked on the command line: a risky command is blocked
 * unless --interactive asks only for the verdict (then it reports "ask"
 * without waiting for anyone). */
static SeroGateDecision *
decide (SeroBashGate *gate,
        const char   *command,
        const char   *root,
        const char   *cwd,
        gboolean      interactive)
{
  SeroGateDecision *decision = sero_bash_gate_classify (gate, command, root, cwd);

  if (decision->verdict == SERO_GATE_ASK && !interactive)
    {
      decision->verdict = SERO_GATE_BLOCK;
      g_free (decision->reason);
      decision->reason = g_strdup ("Dangerous command blocked (no UI for confirmation)");
    }

  return decision;
}

static void
print_decision (const SeroGateDecision *decision)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, sero_gate_verdict_to_string (decision->verdict));
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, decision->rule);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, decision->reason);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

int
sero_cli_gate (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(SeroBashGate) gate = sero_bash_gate_new ();
  g_autofree char *cwd = NULL;
  g_autofree char *root = NULL;
  g_autofree char *current = g_get_current_dir ();
  g_auto(GStrv) rest = NULL;
  gboolean interactive = FALSE;
  gboolean from_stdin = FALSE;
  int exit_code;
  const GOptionEntry entries[] = {
    { "cwd", 0, 0, G_OPTION_ARG_FILENAME, &cwd, N_("Where the command would run (default: here)"), N_("DIR") },
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("The workspace root (default: from --cwd)"), N_("DIR") },
    { "interactive", 0, 0, G_OPTION_ARG_NONE, &interactive, N_("Report “ask” instead of blocking risky commands"), NULL },
    { "stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin, N_("Check one command per line of standard input"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  options = g_option_context_new ("check [--] COMMAND");
  g_option_context_set_summary (options,
                                _("Check a bash command against the permission gate. Prints one JSON object "
                                  "{verdict, rule, reason}; exits 0 for allow, 3 for ask, 4 for block."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (rest == NULL || !g_str_equal (rest[0], "check"))
    return sero_cli_usage_error (USAGE, rest ? "unknown gate subcommand “%s”" : "“gate” needs a subcommand",
                                 rest ? rest[0] : "");

  if (cwd == NULL)
    cwd = g_strdup (current);
  else if (!g_path_is_absolute (cwd))
    {
      char *absolute = g_canonicalize_filename (cwd, current);
      g_free (cwd);
      cwd = absolute;
    }

  if (from_stdin)
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GDataInputStream) lines = g_data_input_stream_new (input);
      g_autoptr(GError) error = NULL;
      char *line;

      if (rest[1] != NULL)
        return sero_cli_usage_error (USAGE, "--stdin takes no COMMAND");

      /* Bytes, not _utf8: a line that is not UTF-8 is a line the gate
       * answers for ("unparseable"), not the end of the audit. */
      while ((line = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
        {
          g_autoptr(SeroGateDecision) decision = decide (gate, line, root, cwd, interactive);

          print_decision (decision);
          g_free (line);
        }

      if (error != NULL)
        return sero_cli_error (error);
      return SERO_CLI_EXIT_OK;
    }

  if (rest[1] == NULL)
    return sero_cli_usage_error (USAGE, "“gate check” needs a COMMAND");

  {
    g_autofree char *command = g_strjoinv (" ", rest + 1);
    g_autoptr(SeroGateDecision) decision = decide (gate, command, root, cwd, interactive);

    print_decision (decision);
    switch (decision->verdict)
      {
      case SERO_GATE_ALLOW: return SERO_CLI_EXIT_OK;
      case SERO_GATE_ASK:   return EXIT_ASK;
      case SERO_GATE_BLOCK:
      default:              return EXIT_BLOCK;
      }
  }
}
