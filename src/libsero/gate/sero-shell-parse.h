/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SeroShellWordFlags:
 * @SERO_SHELL_WORD_QUOTED: some of it was quoted or escaped
 * @SERO_SHELL_WORD_EXPANSION: it holds an unresolved expansion ($VAR,
 *   ${…}, $(…), `…`, $((…))), so its value is unknown before it runs
 * @SERO_SHELL_WORD_GLOB: it holds an unquoted glob or brace expansion
 * @SERO_SHELL_WORD_SUBSTITUTION: it holds a command or process substitution
 */
typedef enum
{
  SERO_SHELL_WORD_QUOTED       = 1 << 0,
  SERO_SHELL_WORD_EXPANSION    = 1 << 1,
  SERO_SHELL_WORD_GLOB         = 1 << 2,
  SERO_SHELL_WORD_SUBSTITUTION = 1 << 3,
} SeroShellWordFlags;

typedef struct
{
  char               *text;   /* after quote removal */
  SeroShellWordFlags  flags;
} SeroShellWord;

/**
 * SeroShellRedirect:
 * @op: ">", ">>", "<", "2>", "&>", "<<", "<<<" …
 * @target: (nullable): the file, descriptor or here-document delimiter
 * @body: (nullable): what a here-document (`<<`) or here-string (`<<<`)
 *   feeds the command, as written; a shell or interpreter reading it runs it
 */
typedef struct
{
  char          *op;
  SeroShellWord *target;
  char          *body;
} SeroShellRedirect;

/**
 * SeroShellCommand:
 * @words: (element-type SeroShellWord): the command and its arguments,
 *   leading NAME=value assignments removed
 * @assignments: (element-type SeroShellWord): those assignments
 * @redirects: (element-type SeroShellRedirect)
 * @pipeline: index of the pipeline it belongs to; commands joined by `|`
 *   share it
 * @pipe_position: its place in that pipeline, from 0
 * @nested: it runs inside a substitution of another command
 */
typedef struct
{
  GPtrArray *words;
  GPtrArray *assignments;
  GPtrArray *redirects;
  guint      pipeline;
  guint      pipe_position;
  gboolean   nested;
} SeroShellCommand;

/**
 * SeroShellScript:
 * @commands: (element-type SeroShellCommand): every simple command, those in
 *   $(…), `…`, <(…) and here-document bodies included
 * @n_operators: how many control operators (; & && || | newline), groups
 *   and redirections the line has; 0 for one plain command
 * @error: (nullable): why the line could not be read (an unterminated quote,
 *   say); then @commands holds what was read before
 */
typedef struct
{
  GPtrArray *commands;
  guint      n_operators;
  char      *error;
} SeroShellScript;

SeroShellScript *sero_shell_parse        (const char      *text);
void             sero_shell_script_free  (SeroShellScript *script);
SeroShellWord   *sero_shell_command_word (SeroShellCommand *command,
                                          guint             index);
guint            sero_shell_command_n_words (SeroShellCommand *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroShellScript, sero_shell_script_free)

G_END_DECLS
