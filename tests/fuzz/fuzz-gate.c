/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>

#include "sero-bash-gate.h"
#include "sero-shell-parse.h"

/* libFuzzer target for the shell reader and the gate: any bytes, as the
 * agent could send, must be read without a crash, a hang or a sanitizer
 * report. */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static SeroBashGate *gate;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SeroShellScript) script = NULL;
  g_autoptr(SeroGateDecision) decision = NULL;

  if (gate == NULL)
    gate = sero_bash_gate_new ();

  script = sero_shell_parse (text);
  for (guint i = 0; i < script->commands->len; i++)
    {
      SeroShellCommand *command = g_ptr_array_index (script->commands, i);

      for (guint j = 0; j < sero_shell_command_n_words (command); j++)
        g_assert (sero_shell_command_word (command, j)->text != NULL);
    }

  decision = sero_bash_gate_classify (gate, text, "/workspace", "/workspace/project");
  g_assert (decision->rule != NULL && decision->reason != NULL);
  g_assert (decision->verdict == SERO_GATE_ALLOW || decision->verdict == SERO_GATE_ASK);

  return 0;
}
