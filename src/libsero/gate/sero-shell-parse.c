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
  GPtrArray       *heredocs;      /* (element-type HereDoc): bodies still to read */
} Parser;

/* A here-document whose body starts after the next newline. */
typedef struct
{
  SeroShellRedirect *redirect;    /* owned by its command */
  char              *delimiter;
  gboolean           expand;      /* unquoted delimiter: $( ) in the body runs */
  gboolean           strip_tabs;  /* <<- */
} HereDoc;

static void parse_list (Parser *p, char terminator);
static SeroShellWordFlags parse_dollar (Parser *p, GString *text, gboolean in_double_quotes);
static SeroShellWordFlags parse_double_quoted (Parser *p, GString *text, char close);
static void parse_backticks (Parser *p);

static void
heredoc_free (HereDoc *heredoc)
{
  g_free (heredoc->delimiter);
  g_free (heredoc);
}

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
  g_free (redirect->body);
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

  sub.heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) heredoc_free);
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
  sub.heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) heredoc_free);
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

/* After "${": reads to the matching "}". A default or replacement value
 * may hold substitutions that run (${x:-$(cmd)}), so they are parsed, not
 * skipped. */
static gboolean
parse_parameter (Parser *p)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  int depth = 1;

  while (p->pos < p->len && p->script->error == NULL)
    {
      char c = p->s[p->pos];

      if (c == '\\' && p->pos + 1 < p->len)
        p->pos += 2;
      else if (c == '\'')
        {
          const char *end = memchr (p->s + p->pos + 1, '\'', p->len - p->pos - 1);

          if (end == NULL)
            return FALSE;
          p->pos = end - p->s + 1;
        }
      else if (c == '"')
        {
          p->pos++;
          parse_double_quoted (p, scratch, '"');
        }
      else if (c == '$')
        parse_dollar (p, scratch, TRUE);
      else if (c == '`')
        {
          p->pos++;
          parse_backticks (p);
        }
      else
        {
          p->pos++;
          if (c == '{')
            depth++;
          else if (c == '}' && --depth == 0)
            return TRUE;
        }
    }

  return FALSE;
}

/* After "((": reads to the matching "))", parsing the substitutions inside
 * ($(( $(cmd) + 1 )) runs cmd). Returns FALSE when the text is not
 * arithmetic after all: bash then reads "$((a); b)" as a command
 * substitution holding a subshell, and so must the caller. */
static gboolean
parse_arithmetic (Parser *p)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  int depth = 0;

  while (p->pos < p->len && p->script->error == NULL)
    {
      char c = p->s[p->pos];

      if (c == '(')
        {
          depth++;
          p->pos++;
        }
      else if (c == ')')
        {
          if (depth > 0)
            {
              depth--;
              p->pos++;
            }
          else if (peek (p, 1) == ')')
            {
              p->pos += 2;
              return TRUE;
            }
          else
            return FALSE;
        }
      else if (c == '\\' && p->pos + 1 < p->len)
        p->pos += 2;
      else if (c == '\'')
        return FALSE;
      else if (c == '"')
        {
          p->pos++;
          parse_double_quoted (p, scratch, '"');
        }
      else if (c == '$')
        parse_dollar (p, scratch, TRUE);
      else if (c == '`')
        {
          p->pos++;
          parse_backticks (p);
        }
      else
        p->pos++;
    }

  return FALSE;
}

static void
parse_backticks (Parser *p)
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

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* $'…' (bash's ANSI-C quoting) at p->pos, just after the quote. The escapes
 * are decoded as bash does, so $'\x72m' is the word rm; a NUL ends the
 * word's text (bash drops the rest). */
static gboolean
parse_ansi_c_quoted (Parser  *p,
                     GString *text)
{
  gboolean ended = FALSE;

  while (p->pos < p->len && p->s[p->pos] != '\'')
    {
      char c = p->s[p->pos++];
      gunichar value = 0;
      int digits = 0;

      if (c != '\\' || p->pos >= p->len)
        {
          if (!ended)
            g_string_append_c (text, c);
          continue;
        }

      c = p->s[p->pos++];
      switch (c)
        {
        case 'a': value = '\a'; break;
        case 'b': value = '\b'; break;
        case 'e': case 'E': value = 0x1b; break;
        case 'f': value = '\f'; break;
        case 'n': value = '\n'; break;
        case 'r': value = '\r'; break;
        case 't': value = '\t'; break;
        case 'v': value = '\v'; break;
        case 'c':
          /* A control character; past ASCII there is none to name. */
          if (p->pos < p->len && (guchar) p->s[p->pos] < 0x80)
            value = p->s[p->pos++] & 0x1f;
          else
            value = 0xFFFD;
          break;
        case 'x': case 'u': case 'U':
          {
            int max = c == 'x' ? 2 : c == 'u' ? 4 : 8;

            while (digits < max && p->pos < p->len && hex_value (p->s[p->pos]) >= 0)
              value = value * 16 + hex_value (p->s[p->pos++]), digits++;
            if (digits == 0)
              {
                if (!ended)
                  g_string_append_c (text, '\\'), g_string_append_c (text, c);
                continue;
              }
          }
          break;
        case '\\': case '\'': case '"': case '?':
          value = (guchar) c;
          break;
        default:
          if (c >= '0' && c <= '7')
            {
              value = c - '0';
              while (++digits < 3 && p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '7')
                value = value * 8 + (p->s[p->pos++] - '0');
            }
          else
            {
              /* bash keeps an unknown escape as written. */
              if (!ended)
                g_string_append_c (text, '\\'), g_string_append_c (text, c);
              continue;
            }
          break;
        }

      if (value == 0)
        ended = TRUE;
      if (ended)
        continue;

      /* Words stay valid UTF-8 (they end up in reasons and JSON): a raw
       * byte past ASCII from \x or octal becomes U+FFFD, which no command
       * name holds anyway. */
      if (value < 0x80)
        g_string_append_c (text, (char) value);
      else if ((c == 'u' || c == 'U' || c == 'c') && g_unichar_validate (value))
        g_string_append_unichar (text, value);
      else
        g_string_append_unichar (text, 0xFFFD);
    }

  if (p->pos >= p->len)
    return FALSE;

  p->pos++;
  return TRUE;
}

/* A $ at p->pos: variables, ${…}, $(…), $((…)), $'…'. Appends what is
 * literal to @text; returns the flags it adds. */
static SeroShellWordFlags
parse_dollar (Parser  *p,
              GString *text,
              gboolean in_double_quotes)
{
  char next = peek (p, 1);
  SeroShellWordFlags flags = 0;

  /* ${ ${ ${ … and $( $( … nest through here; bound it. */
  if (++p->depth > MAX_DEPTH)
    {
      fail (p, "expansions are nested too deeply");
      p->depth--;
      return 0;
    }

  if (next == '(' && peek (p, 2) == '(')
    {
      gsize start = p->pos;

      p->pos += 3;
      if (parse_arithmetic (p))
        {
          g_string_append (text, "$((…))");
          flags = SERO_SHELL_WORD_EXPANSION;
        }
      else if (p->script->error == NULL)
        {
          /* Not arithmetic: "$( (" opens a substitution holding a subshell. */
          p->pos = start;
          next = '(';
        }
    }

  if (flags != 0 || p->script->error != NULL)
    ;
  else if (next == '(')
    {
      p->pos += 2;
      parse_command_substitution (p);
      g_string_append (text, "$(…)");
      flags = SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
    }
  else if (next == '{')
    {
      p->pos += 2;
      if (!parse_parameter (p))
        fail (p, "a ${ expansion is not closed");
      g_string_append (text, "${…}");
      flags = SERO_SHELL_WORD_EXPANSION;
    }
  else if (next == '\'' && !in_double_quotes)
    {
      p->pos += 2;
      if (!parse_ansi_c_quoted (p, text))
        fail (p, "a $' quote is not closed");
      flags = SERO_SHELL_WORD_QUOTED;
    }
  else if (g_ascii_isalpha (next) || next == '_')
    {
      p->pos++;
      while (p->pos < p->len && (g_ascii_isalnum (p->s[p->pos]) || p->s[p->pos] == '_'))
        p->pos++;
      g_string_append (text, "$VAR");
      flags = SERO_SHELL_WORD_EXPANSION;
    }
  else if (next != '\0' && strchr ("@*#?-$!0123456789", next) != NULL)
    {
      p->pos += 2;
      g_string_append (text, "$VAR");
      flags = SERO_SHELL_WORD_EXPANSION;
    }
  else
    {
      g_string_append_c (text, '$');
      p->pos++;
    }

  p->depth--;
  return flags;
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
          parse_backticks (p);
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
          parse_backticks (p);
          g_string_append (text, "`…`");
          flags |= SERO_SHELL_WORD_EXPANSION | SERO_SHELL_WORD_SUBSTITUTION;
          break;

        case '*':
        case '?':
          flags |= SERO_SHELL_WORD_GLOB;
          g_string_append_c (text, c);
          p->pos++;
          break;

        case '[':
          /* Only a bracket expression with its ] is a glob; the test
           * commands [ and [[ are not. */
          for (gsize i = p->pos + 1; i < p->len && !is_meta (p->s[i]); i++)
            if (p->s[i] == ']')
              {
                flags |= SERO_SHELL_WORD_GLOB;
                break;
              }
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

/* Words after some keywords are not commands: the name after `function`,
 * the loop variable and list of `for x in …`, the words of `[[ … ]]`, the
 * subject of `case … in`, a `coproc NAME {`, and `time -p`. */
typedef enum
{
  SKIP_NONE,
  SKIP_ONE,
  SKIP_TO_DO,
  SKIP_TEST,
  SKIP_CASE_SUBJECT,
  SKIP_COPROC_NAME,
  SKIP_TIME_OPTION,
} Skip;

typedef struct
{
  SeroShellCommand *command;
  guint             pipe_position;
  Skip              skip;
  guint             case_depth;
  gboolean          case_pattern;  /* reading `pattern)` of a case item */
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
      HereDoc *heredoc = g_ptr_array_index (p->heredocs, i);
      gsize delimiter_len = strlen (heredoc->delimiter);
      gsize body_start = p->pos;
      gsize body_end = p->len;

      while (p->pos < p->len)
        {
          const char *newline = memchr (p->s + p->pos, '\n', p->len - p->pos);
          gsize line_end = newline ? (gsize) (newline - p->s) : p->len;
          const char *line = p->s + p->pos;
          gsize line_len = line_end - p->pos;

          while (heredoc->strip_tabs && line_len > 0 && *line == '\t')
            line++, line_len--;

          if (line_len == delimiter_len && strncmp (line, heredoc->delimiter, line_len) == 0)
            {
              body_end = p->pos;
              p->pos = newline ? line_end + 1 : p->len;
              break;
            }
          p->pos = newline ? line_end + 1 : p->len;
        }

      /* Kept so the gate can read what a shell or interpreter would run
       * from it (sh <<EOF … EOF). */
      g_free (heredoc->redirect->body);
      heredoc->redirect->body = g_strndup (p->s + body_start, body_end - body_start);

      /* An unquoted delimiter means the body is expanded: $( ) in it runs. */
      if (heredoc->expand)
        {
          Parser sub = { p->s + body_start, body_end - body_start, 0, p->script, p->depth + 1, TRUE,
                         p->pipeline, p->heredocs };
          g_autoptr(GString) ignored = g_string_new (NULL);

          if (sub.depth > MAX_DEPTH)
            fail (p, "here-documents are nested too deeply");
          else
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

  redirect = g_new0 (SeroShellRedirect, 1);
  redirect->target = target;

  if (g_str_equal (op->str, "<<<") && target != NULL)
    redirect->body = g_strdup (target->text);
  else if (g_str_has_prefix (op->str, "<<") && target != NULL)
    {
      HereDoc *heredoc = g_new0 (HereDoc, 1);

      heredoc->redirect = redirect;
      heredoc->delimiter = g_strdup (target->text);
      heredoc->expand = !(target->flags & SERO_SHELL_WORD_QUOTED);
      heredoc->strip_tabs = g_str_has_suffix (op->str, "-");
      g_ptr_array_add (p->heredocs, heredoc);
    }

  redirect->op = g_string_free (g_steal_pointer (&op), FALSE);
  g_ptr_array_add (current (p, state)->redirects, redirect);
}

/* A word where a command would start (or while skipping); returns TRUE
 * when it was consumed as a keyword or a non-command word. */
static gboolean
handle_keyword (Parser        *p,
                State         *state,
                SeroShellWord *word)
{
  gboolean quoted = (word->flags & SERO_SHELL_WORD_QUOTED) != 0;
  Skip skip = state->skip;

  state->skip = SKIP_NONE;

  switch (skip)
    {
    case SKIP_ONE:
      return TRUE;

    case SKIP_TO_DO:
      if (quoted || !g_str_equal (word->text, "do"))
        state->skip = SKIP_TO_DO;
      return TRUE;

    case SKIP_TEST:
      if (quoted || !g_str_equal (word->text, "]]"))
        state->skip = SKIP_TEST;
      return TRUE;

    case SKIP_CASE_SUBJECT:
      if (quoted || !g_str_equal (word->text, "in"))
        state->skip = SKIP_CASE_SUBJECT;
      else
        {
          state->case_depth++;
          state->case_pattern = TRUE;
        }
      return TRUE;

    case SKIP_COPROC_NAME:
      {
        gsize i = p->pos;

        while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
          i++;
        if (i < p->len && (p->s[i] == '{' || p->s[i] == '('))
          return TRUE;
      }
      break;

    case SKIP_TIME_OPTION:
      if (!quoted && word->text[0] == '-')
        return TRUE;
      break;

    case SKIP_NONE:
    default:
      break;
    }

  if (state->command != NULL && state->command->words->len > 0)
    return FALSE;
  if (quoted || !is_reserved (word->text))
    return FALSE;

  /* Keywords are not commands: what follows them is. */
  p->script->n_operators++;

  if (g_str_equal (word->text, "function"))
    state->skip = SKIP_ONE;
  else if (g_str_equal (word->text, "for") || g_str_equal (word->text, "select"))
    state->skip = SKIP_TO_DO;
  else if (g_str_equal (word->text, "[["))
    state->skip = SKIP_TEST;
  else if (g_str_equal (word->text, "case"))
    state->skip = SKIP_CASE_SUBJECT;
  else if (g_str_equal (word->text, "coproc"))
    state->skip = SKIP_COPROC_NAME;
  else if (g_str_equal (word->text, "time"))
    state->skip = SKIP_TIME_OPTION;
  else if (g_str_equal (word->text, "esac") && state->case_depth > 0)
    state->case_depth--;

  return TRUE;
}

/* Inside `case … in`, before an item's `)`: patterns, not commands. */
static void
parse_case_pattern (Parser *p,
                    State  *state)
{
  char c = p->s[p->pos];
  SeroShellWord *word;

  if (c == '\n' || c == '(' || c == '|')
    {
      p->pos++;
      return;
    }

  if (c == ')')
    {
      p->pos++;
      state->case_pattern = FALSE;
      return;
    }

  word = parse_word (p);
  if (word == NULL)
    {
      fail (p, "unexpected character in a case pattern");
      return;
    }

  if (!(word->flags & SERO_SHELL_WORD_QUOTED) && g_str_equal (word->text, "esac"))
    {
      state->case_depth--;
      state->case_pattern = FALSE;
    }
  word_free (word);
}

static void
parse_list (Parser *p,
            char    terminator)
{
  State state = { NULL, 0, SKIP_NONE, 0, FALSE };
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

      if (state.case_pattern)
        {
          parse_case_pattern (p, &state);
          continue;
        }

      if (c == '\n')
        {
          if (state.skip != SKIP_CASE_SUBJECT)
            state.skip = SKIP_NONE;
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

      /* (( … )): an arithmetic command, unless it turns out to be a
       * subshell inside a subshell. */
      if (c == '(' && peek (p, 1) == '(' && (state.command == NULL || state.command->words->len == 0))
        {
          gsize start = p->pos;

          p->pos += 2;
          if (parse_arithmetic (p))
            {
              p->script->n_operators++;
              continue;
            }
          if (p->script->error != NULL)
            break;
          p->pos = start;
        }

      /* ;; ;& ;;& end a case item: patterns follow. */
      if (c == ';' && state.case_depth > 0 && (peek (p, 1) == ';' || peek (p, 1) == '&'))
        {
          finish (p, &state);
          p->script->n_operators++;
          p->pos += (peek (p, 1) == ';' && peek (p, 2) == '&') ? 3 : 2;
          (*p->pipeline)++;
          state.pipe_position = 0;
          state.skip = SKIP_NONE;
          state.case_pattern = TRUE;
          continue;
        }

      if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')')
        {
          gboolean pipe = c == '|' && peek (p, 1) != '|';
          gboolean doubled = (c == '&' || c == '|') && peek (p, 1) == c;

          /* A list separator ends a for header or a [[ test; && and ||
           * inside [[ … ]] are part of the test. */
          if (c == ';' || ((c == '&' || c == '|') && !doubled))
            state.skip = SKIP_NONE;

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

        if (handle_keyword (p, &state, word))
          word_free (word);
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
  p.heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) heredoc_free);
  parse_list (&p, '\0');
  g_ptr_array_unref (p.heredocs);

  return script;
}
