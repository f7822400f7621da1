/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-shell-parse"

#include "config.h"

#include "sero-shell-parse.h"

/* A POSIX shell reader for the permission gate: it finds every simple
 * command a line would run — across ; & && || | newlines, ( ) and { }
 * groups, $( ) and backticks, <( ) and >( ), and here-document bodies — and
 * what each word is after quote removal, with flags for what the shell
 * would still expand at run time. It never expands anything itself: a word
 * holding $VAR is reported as unknown, not guessed.
 *
 * It is not a full shell grammar (arithmetic, case patterns and the like are
 * skipped, not understood); anything it cannot read safely is reported as an
 * error so the gate can ask instead of guessing. Hand-written because no
 * maintained C library parses shell into an inspectable form; GLib's
 * g_shell_parse_argv() handles one command without operators. */

#define MAX_DEPTH 16

typedef struct
{
  const char      *s;
  gsize            len;
  gsize            pos;
  SeroShellScript *script;
  guint            depth;
  gboolean         nested;
  guint           *pipeline;      /* shared counter across nested parsers */
  GPtrArray       *heredocs;      /* pending delimiters, "Q" or "U" + text */
} Parser;

static void parse_list (Parser *p, char terminator);

static void
word_free (SeroShellWord *word)
{
  if (word == NULL)
    return;
  g_free (word->text);
  g_free (word);
}

static void
redirect_free (SeroShellRedirect *redirect)
{
  g_free (redirect->op);
  word_free (redirect->target);
  g_free (redirect);
}

static void
command_free (SeroShellCommand *command)
{
  g_ptr_array_unref (command->words);
  g_ptr_array_unref (command->assignments);
  g_ptr_array_unref (command->redirects);
  g_free (command);
}

void
sero_shell_script_free (SeroShellScript *script)
{
  if (script == NULL)
    return;

  g_ptr_array_unref (script->commands);
  g_free (script->error);
  g_free (script);
}

SeroShellWord *
sero_shell_command_word (SeroShellCommand *command,
                         guint             index)
{
  return index < command->words->len ? g_ptr_array_index (command->words, index) : NULL;
}

guint
sero_shell_command_n_words (SeroShellCommand *command)
{
  return command->words->len;
}

static void
fail (Parser     *p,
      const char *message)
{
  if (p->script->error == NULL)
    p->script->error = g_strdup (message);
  p->pos = p->len;
}

static gboolean
at_end (Parser *p)
{
  return p->pos >= p->len || p->script->error != NULL;
}

static char
peek (Parser *p,
      gsize   ahead)
{
  return p->pos + ahead < p->len ? p->s[p->pos + ahead] : '\0';
}

static gboolean
is_meta (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
         c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

/* Parses @text as a nested script: the inside of $( ), ` `, <( ) or an
 * expanding here-document. Its commands join the same script. */
static void
parse_nested (Parser     *p,
              const char *text,
              gsize       len)
{
  Parser sub = { text, len, 0, p->script, p->depth + 1, TRUE, p->pipeline, NULL };

  if (sub.depth > MAX_DEPTH)
    {
      fail (p, "command substitutions are nested too deeply");
      return;
    }

  sub.heredocs = g_ptr_array_new_with_free_func (g_free);
  parse_list (&sub, '\0');
  g_ptr_array_unref (sub.heredocs);
}

/* $( … ): parse in place up to the matching parenthesis. */
static void
parse_command_substitution (Parser *p)
{
  Parser sub = *p;
  gsize start;

  sub.depth = p->depth + 1;
  sub.nested = TRUE;
  sub.heredocs = g_ptr_array_new_with_free_func (g_free);
  if (sub.depth > MAX_DEPTH)
    {
      g_ptr_array_unref (sub.heredocs);
      fail (p, "command substitutions are nested too deeply");
      return;
    }

  start = sub.pos;
  parse_list (&sub, ')');
  g_ptr_array_unref (sub.heredocs);
  if (p->script->error != NULL)
    return;
  if (sub.pos >= sub.len || sub.s[sub.pos] != ')')
    {
      fail (p, "a $( substitution is not closed");
      return;
    }

  (void) start;
  p->pos = sub.pos + 1;
}

/* Skips to the matching close of ${ … } or $(( … )), respecting quotes. */
static gboolean
skip_balanced (Parser *p,
               char    open,
               char    close)
{
  int depth = 1;

  while (p->pos < p->len)
    {
      char c = p->s[p->pos++];

      if (c == '\\' && p->pos < p->len)
        p->pos++;
      else if (c == '\'')
        {
          const char *end = memchr (p->s + p->pos, '\'', p->len - p->pos);
          if (end == NULL)
            return FALSE;
          p->pos = end - p->s + 1;
        }
      else if (c == open)
        depth++;
      else if (c == close && --depth == 0)
        return TRUE;
    }

  return FALSE;
}

static void
parse_backticks (Parser  *p,
                 GString *unused)
{
  GString *inner = g_string_new (NULL);

  /* p->pos is just after the opening backtick. */
  while (p->pos < p->len && p->s[p->pos] != '`')
    {
      if (p->s[p->pos] == '\\' && p->pos + 1 < p->len &&
          (p->s[p->pos + 1] == '`' || p->s[p->pos + 1] == '\\' || p->s[p->pos + 1] == '$'))
        p->pos++;
      g_string_append_c (inner, p->s[p->pos++]);
    }

  if (p->pos >= p->len)
    {
      g_string_free (inner, TRUE);
      fail (p, "a ` substitution is not closed");
      return;
    }

  p->pos++;
  parse_nested (p, inner->str, inner->len);
  g_string_free (inner, TRUE);
}

/* A $ at p->pos: variables, ${…}, $(…), $((…)), $'…'. Appends what is
 * literal to @text; returns the flags it adds. */
static SeroShellWordFlags
parse_dollar (Parser  *p,
              GString *text,
              gboolean in_double_quotes)
{
  char next = peek (p, 1);

  if (next == '(' && peek (p, 2) == '(')
    {
      p->pos += 3;
      if (!skip_balanced (p, '(', ')') || peek (p, 0) != ')')
        {
          fail (p, "a $(( arithmetic expansion is not closed");
          return 0;
        }
      p->pos++;
      g_string_append (text, "$((…))");
      return SERO_SHELL_WORD_EXPANSION;
    }

  if (next == '(')
    {
      p->pos += 2;
      parse_command_substitution (p);
      g_string_append (text, "$(…)");
      return SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
    }

  if (next == '{')
    {
      p->pos += 2;
      if (!skip_balanced (p, '{', '}'))
        {
          fail (p, "a ${ expansion is not closed");
          return 0;
        }
      g_string_append (text, "${…}");
      return SERO_SHELL_WORD_EXPANSION;
    }

  if (next == '\'' && !in_double_quotes)
    {
      /* $'…': ANSI-C quoting. Escapes are kept as written; the gate only
       * needs to know the word is quoted and where it ends. */
      p->pos += 2;
      while (p->pos < p->len && p->s[p->pos] != '\'')
        {
          if (p->s[p->pos] == '\\' && p->pos + 1 < p->len)
            {
              char escaped = p->s[p->pos + 1];
              g_string_append_c (text, escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
              p->pos += 2;
              continue;
            }
          g_string_append_c (text, p->s[p->pos++]);
        }
      if (p->pos >= p->len)
        {
          fail (p, "a $' quote is not closed");
          return 0;
        }
      p->pos++;
      return SERO_SHELL_WORD_QUOTED;
    }

  if (g_ascii_isalpha (next) || next == '_')
    {
      p->pos++;
      while (p->pos < p->len && (g_ascii_isalnum (p->s[p->pos]) || p->s[p->pos] == '_'))
        p->pos++;
      g_string_append (text, "$VAR");
      return SERO_SHELL_WORD_EXPANSION;
    }

  if (next != '\0' && strchr ("@*#?-$!0123456789", next) != NULL)
    {
      p->pos += 2;
      g_string_append (text, "$VAR");
      return SERO_SHELL_WORD_EXPANSION;
    }

  g_string_append_c (text, '$');
  p->pos++;
  return 0;
}

/* Inside "…" or an expanding here-document body (@close '\0'). */
static SeroShellWordFlags
parse_double_quoted (Parser  *p,
                     GString *text,
                     char     close)
{
  SeroShellWordFlags flags = SERO_SHELL_WORD_QUOTED;

  while (p->pos < p->len)
    {
      char c = p->s[p->pos];

      if (close != '\0' && c == close)
        {
          p->pos++;
          return flags;
        }

      if (c == '\\' && p->pos + 1 < p->len && strchr ("$`\"\\\n", p->s[p->pos + 1]) != NULL)
        {
          if (p->s[p->pos + 1] != '\n')
            g_string_append_c (text, p->s[p->pos + 1]);
          p->pos += 2;
        }
      else if (c == '$')
        flags |= parse_dollar (p, text, TRUE);
      else if (c == '`')
        {
          p->pos++;
          parse_backticks (p, text);
          g_string_append (text, "`…`");
          flags |= SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
        }
      else
        {
          g_string_append_c (text, c);
          p->pos++;
        }

      if (p->script->error != NULL)
        return flags;
    }

  if (close != '\0')
    fail (p, "a \" quote is not closed");

  return flags;
}

static gboolean
brace_expands (const char *s,
               gsize       len,
               gsize       pos)
{
  int depth = 0;

  for (gsize i = pos; i < len && !is_meta (s[i]); i++)
    {
      if (s[i] == '{')
        depth++;
      else if (s[i] == '}' && --depth == 0)
        return FALSE;
      else if ((s[i] == ',' || (s[i] == '.' && i + 1 < len && s[i + 1] == '.')) && depth == 1)
        return TRUE;
    }

  return FALSE;
}

static SeroShellWord *
parse_word (Parser *p)
{
  g_autoptr(GString) text = g_string_new (NULL);
  SeroShellWordFlags flags = 0;
  gsize start = p->pos;

  /* <( … ) and >( … ): process substitution, a word of its own. */
  if ((peek (p, 0) == '<' || peek (p, 0) == '>') && peek (p, 1) == '(')
    {
      p->pos += 2;
      parse_command_substitution (p);
      flags |= SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
      g_string_append (text, "<(…)");
    }

  while (!at_end (p) && !is_meta (p->s[p->pos]))
    {
      char c = p->s[p->pos];

      switch (c)
        {
        case '\\':
          if (p->pos + 1 >= p->len)
            {
              fail (p, "the line ends with a lone backslash");
              break;
            }
          if (p->s[p->pos + 1] != '\n')
            g_string_append_c (text, p->s[p->pos + 1]);
          p->pos += 2;
          flags |= SERO_SHELL_WORD_QUOTED;
          break;

        case '\'':
          {
            const char *end = memchr (p->s + p->pos + 1, '\'', p->len - p->pos - 1);

            if (end == NULL)
              {
                fail (p, "a ' quote is not closed");
                break;
              }
            g_string_append_len (text, p->s + p->pos + 1, end - (p->s + p->pos + 1));
            p->pos = end - p->s + 1;
            flags |= SERO_SHELL_WORD_QUOTED;
          }
          break;

        case '"':
          p->pos++;
          flags |= parse_double_quoted (p, text, '"');
          break;

        case '$':
          flags |= parse_dollar (p, text, FALSE);
          break;

        case '`':
          p->pos++;
          parse_backticks (p, text);
          g_string_append (text, "`…`");
          flags |= SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
          break;

        case '*':
        case '?':
        case '[':
          flags |= SERO_SHELL_WORD_GLOB;
          g_string_append_c (text, c);
          p->pos++;
          break;

        case '{':
          if (brace_expands (p->s, p->len, p->pos))
            flags |= SERO_SHELL_WORD_GLOB;
          g_string_append_c (text, c);
          p->pos++;
          break;

        default:
          g_string_append_c (text, c);
          p->pos++;
          break;
        }
    }

  if (p->pos == start)
    return NULL;

  {
    SeroShellWord *word = g_new0 (SeroShellWord, 1);

    word->text = g_string_free (g_steal_pointer (&text), FALSE);
    word->flags = flags;
    return word;
  }
}

static gboolean
is_assignment (SeroShellWord *word)
{
  const char *eq = strchr (word->text, '=');

  if (eq == NULL || eq == word->text || !(g_ascii_isalpha (word->text[0]) || word->text[0] == '_'))
    return FALSE;

  for (const char *c = word->text; c < eq; c++)
    if (!(g_ascii_isalnum (*c) || *c == '_'))
      return FALSE;

  return TRUE;
}

static gboolean
is_reserved (const char *text)
{
  static const char * const reserved[] = {
    "{", "}", "!", "if", "then", "else", "elif", "fi", "while", "until", "do", "done",
    "case", "esac", "for", "select", "in", "function", "[[", "]]", "time", "coproc", NULL
  };

  return g_strv_contains (reserved, text);
}

typedef struct
{
  SeroShellCommand *command;
  guint             pipe_position;
} State;

static SeroShellCommand *
current (Parser *p,
         State  *state)
{
  if (state->command == NULL)
    {
      state->command = g_new0 (SeroShellCommand, 1);
      state->command->words = g_ptr_array_new_with_free_func ((GDestroyNotify) word_free);
      state->command->assignments = g_ptr_array_new_with_free_func ((GDestroyNotify) word_free);
      state->command->redirects = g_ptr_array_new_with_free_func ((GDestroyNotify) redirect_free);
      state->command->pipeline = *p->pipeline;
      state->command->pipe_position = state->pipe_position;
      state->command->nested = p->nested;
    }

  return state->command;
}

static void
finish (Parser *p,
        State  *state)
{
  SeroShellCommand *command = state->command;

  state->command = NULL;
  if (command == NULL)
    return;

  if (command->words->len == 0 && command->assignments->len == 0 && command->redirects->len == 0)
    {
      command_free (command);
      return;
    }

  g_ptr_array_add (p->script->commands, command);
}

static void
read_heredoc_bodies (Parser *p)
{
  for (guint i = 0; i < p->heredocs->len && !at_end (p); i++)
    {
      const char *spec = g_ptr_array_index (p->heredocs, i);
      gboolean expand = spec[0] == 'U';
      gboolean strip_tabs = spec[1] == '-';
      const char *delimiter = spec + 2;
      gsize body_start = p->pos;
      gsize body_end = p->len;

      while (p->pos < p->len)
        {
          const char *newline = memchr (p->s + p->pos, '\n', p->len - p->pos);
          gsize line_end = newline ? (gsize) (newline - p->s) : p->len;
          const char *line = p->s + p->pos;
          gsize line_len = line_end - p->pos;

          while (strip_tabs && line_len > 0 && *line == '\t')
            line++, line_len--;

          if (line_len == strlen (delimiter) && strncmp (line, delimiter, line_len) == 0)
            {
              body_end = p->pos;
              p->pos = newline ? line_end + 1 : p->len;
              break;
            }
          p->pos = newline ? line_end + 1 : p->len;
        }

      /* An unquoted delimiter means the body is expanded: $( ) in it runs. */
      if (expand)
        {
          Parser sub = { p->s + body_start, body_end - body_start, 0, p->script, p->depth + 1, TRUE,
                         p->pipeline, p->heredocs };
          g_autoptr(GString) ignored = g_string_new (NULL);

          parse_double_quoted (&sub, ignored, '\0');
        }
    }

  g_ptr_array_set_size (p->heredocs, 0);
}

static void
parse_redirect (Parser *p,
                State  *state)
{
  g_autoptr(GString) op = g_string_new (NULL);
  SeroShellRedirect *redirect;
  SeroShellWord *target;

  while (g_ascii_isdigit (peek (p, 0)))
    g_string_append_c (op, p->s[p->pos++]);
  if (peek (p, 0) == '&')
    g_string_append_c (op, p->s[p->pos++]);

  g_string_append_c (op, p->s[p->pos++]);
  while (strchr ("<>&|-", peek (p, 0)) != NULL && peek (p, 0) != '\0' && op->len < 4)
    {
      /* "<&-" closes a descriptor; "<<-" strips tabs from a here-document. */
      if (peek (p, 0) == '-' && !g_str_has_suffix (op->str, "<<") && !g_str_has_suffix (op->str, "&"))
        break;
      g_string_append_c (op, p->s[p->pos++]);
    }

  while (peek (p, 0) == ' ' || peek (p, 0) == '\t')
    p->pos++;

  target = at_end (p) ? NULL : parse_word (p);
  if (target == NULL && !g_str_has_suffix (op->str, "-"))
    {
      fail (p, "a redirection has no target");
      return;
    }

  p->script->n_operators++;

  if (g_str_has_prefix (op->str, "<<") && !g_str_equal (op->str, "<<<") && target != NULL)
    g_ptr_array_add (p->heredocs, g_strdup_printf ("%c%c%s",
                                                   (target->flags & SERO_SHELL_WORD_QUOTED) ? 'Q' : 'U',
                                                   g_str_has_suffix (op->str, "-") ? '-' : ' ',
                                                   target->text));

  redirect = g_new0 (SeroShellRedirect, 1);
  redirect->op = g_string_free (g_steal_pointer (&op), FALSE);
  redirect->target = target;
  g_ptr_array_add (current (p, state)->redirects, redirect);
}

static void
parse_list (Parser *p,
            char    terminator)
{
  State state = { NULL, 0 };
  int groups = 0;

  while (!at_end (p))
    {
      char c = p->s[p->pos];
      SeroShellWord *word;

      if (c == ' ' || c == '\t' || c == '\r')
        {
          p->pos++;
          continue;
        }

      if (c == '\\' && peek (p, 1) == '\n')
        {
          p->pos += 2;
          continue;
        }

      if (c == '#' && (state.command == NULL || p->pos == 0 || strchr (" \t\n;&|()", p->s[p->pos - 1])))
        {
          while (p->pos < p->len && p->s[p->pos] != '\n')
            p->pos++;
          continue;
        }

      if (c == '\n')
        {
          finish (p, &state);
          p->pos++;
          (*p->pipeline)++;
          state.pipe_position = 0;
          if (p->script->commands->len > 0 || p->heredocs->len > 0)
            p->script->n_operators++;
          read_heredoc_bodies (p);
          continue;
        }

      if (c == ')' && terminator == ')' && groups == 0)
        {
          finish (p, &state);
          return;
        }

      if ((c == '<' || c == '>') && peek (p, 1) == '(')
        {
          /* Process substitution: a word. */
        }
      else if (c == '<' || c == '>' || (c == '&' && peek (p, 1) == '>'))
        {
          parse_redirect (p, &state);
          continue;
        }
      else if (g_ascii_isdigit (c))
        {
          /* "2>file": a descriptor number right before a redirection. */
          gsize i = p->pos;

          while (i < p->len && g_ascii_isdigit (p->s[i]))
            i++;
          if (i < p->len && (p->s[i] == '<' || p->s[i] == '>') && !(i + 1 < p->len && p->s[i + 1] == '('))
            {
              parse_redirect (p, &state);
              continue;
            }
        }

      if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')')
        {
          gboolean pipe = c == '|' && peek (p, 1) != '|';

          finish (p, &state);
          p->script->n_operators++;

          if (c == '(')
            groups++;
          else if (c == ')')
            {
              if (groups == 0)
                {
                  fail (p, "a ) has no matching (");
                  return;
                }
              groups--;
            }

          p->pos++;
          if ((c == '&' && peek (p, 0) == '&') || (c == '|' && peek (p, 0) == '|') ||
              (c == ';' && peek (p, 0) == ';') || (c == '|' && peek (p, 0) == '&') ||
              (c == ';' && peek (p, 0) == '&'))
            p->pos++;

          if (pipe)
            state.pipe_position++;
          else
            {
              (*p->pipeline)++;
              state.pipe_position = 0;
            }
          continue;
        }

      word = parse_word (p);
      if (word == NULL)
        {
          fail (p, "unexpected character");
          break;
        }

      {
        SeroShellCommand *command = current (p, &state);

        if (command->words->len == 0 && !(word->flags & SERO_SHELL_WORD_QUOTED) && is_reserved (word->text))
          {
            /* Keywords are not commands: what follows them is. */
            p->script->n_operators++;
            word_free (word);
          }
        else if (command->words->len == 0 && is_assignment (word))
          g_ptr_array_add (command->assignments, word);
        else
          g_ptr_array_add (command->words, word);
      }
    }

  finish (p, &state);
  if (p->script->error == NULL && groups > 0)
    fail (p, "a ( is not closed");
  if (p->script->error == NULL && terminator == '\0' && p->heredocs->len > 0)
    read_heredoc_bodies (p);
}

/**
 * sero_shell_parse:
 *
 * Returns: (transfer full): every simple command @text would run; check
 *   @error before trusting the list to be complete
 */
SeroShellScript *
sero_shell_parse (const char *text)
{
  SeroShellScript *script = g_new0 (SeroShellScript, 1);
  guint pipeline = 0;
  Parser p = { text, strlen (text), 0, script, 0, FALSE, &pipeline, NULL };

  script->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  p.heredocs = g_ptr_array_new_with_free_func (g_free);
  parse_list (&p, '\0');
  g_ptr_array_unref (p.heredocs);

  return script;
}
