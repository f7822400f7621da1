/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-chat-item"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sero-chat-item.h"

/* One entry of the chat view's list: a message, a tool call, a question
 * from the gate or the agent, or a notice. The rows of the GtkListView
 * are recycled, so everything a row shows lives here.
 *
 * Streamed text is kept in two parts: frozen blocks, parsed once and never
 * again, and the open tail after the last place where the Markdown can be
 * cut (see SeroMarkdownSplitter). append_text() only stores the delta;
 * flush(), called once per frame by the view, re-parses just the tail and
 * says from which block on the rendering changed. */

struct _SeroChatItem
{
  GObject               parent_instance;

  SeroChatItemKind      kind;
  char                 *id;
  GString              *text;
  gboolean              dirty;
  gboolean              finished;
  gboolean              expanded;
  gboolean              is_error;

  SeroMarkdownSplitter  splitter;
  gsize                 frozen_end;
  GPtrArray            *frozen;
  GPtrArray            *tail;

  char                 *tool_name;
  char                 *tool_detail;
  char                 *tool_output;

  gint64                expires_at;
  GStrv                 options;
  gboolean              allow_free_text;
  gboolean              resolved;
  char                 *answer;
};

G_DEFINE_FINAL_TYPE (SeroChatItem, sero_chat_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  BLOCKS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sero_chat_item_finalize (GObject *object)
{
  SeroChatItem *self = (SeroChatItem *) object;

  g_free (self->id);
  g_string_free (self->text, TRUE);
  g_clear_pointer (&self->frozen, g_ptr_array_unref);
  g_clear_pointer (&self->tail, g_ptr_array_unref);
  g_free (self->tool_name);
  g_free (self->tool_detail);
  g_free (self->tool_output);
  g_strfreev (self->options);
  g_free (self->answer);

  G_OBJECT_CLASS (sero_chat_item_parent_class)->finalize (object);
}

static void
sero_chat_item_class_init (SeroChatItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_chat_item_finalize;

  /**
   * SeroChatItem::changed:
   *
   * Anything but the Markdown blocks changed: text, tool state, answer.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * SeroChatItem::blocks-changed:
   * @first: the first block whose rendering changed; blocks before it are
   *   as they were, blocks from it on may be new, changed or gone
   */
  signals[BLOCKS_CHANGED] =
    g_signal_new ("blocks-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
sero_chat_item_init (SeroChatItem *self)
{
  self->text = g_string_new (NULL);
  self->frozen = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_markdown_block_free);
  self->tail = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_markdown_block_free);
}

SeroChatItem *
sero_chat_item_new (SeroChatItemKind  kind,
                    const char       *id)
{
  SeroChatItem *self = g_object_new (SERO_TYPE_CHAT_ITEM, NULL);

  self->kind = kind;
  self->id = g_strdup (id);
  self->expanded = kind == SERO_CHAT_ITEM_TOOL;

  return self;
}

SeroChatItemKind
sero_chat_item_get_kind (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), SERO_CHAT_ITEM_NOTICE);

  return self->kind;
}

const char *
sero_chat_item_get_id (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->id;
}

const char *
sero_chat_item_get_text (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->text->str;
}

static gboolean
is_markdown (SeroChatItem *self)
{
  return self->kind == SERO_CHAT_ITEM_ASSISTANT;
}

static void
reset_markdown (SeroChatItem *self)
{
  memset (&self->splitter, 0, sizeof self->splitter);
  self->frozen_end = 0;
  g_ptr_array_set_size (self->frozen, 0);
  g_ptr_array_set_size (self->tail, 0);
}

/**
 * sero_chat_item_set_text:
 *
 * Replaces the text. When the new text continues the old one (a streamed
 * answer meeting its final message) only the rest is added, so the frozen
 * blocks stay.
 */
void
sero_chat_item_set_text (SeroChatItem *self,
                         const char   *text)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  if (text == NULL)
    text = "";

  if (g_str_has_prefix (text, self->text->str))
    {
      if (text[self->text->len] == '\0')
        return;
      g_string_append (self->text, text + self->text->len);
    }
  else
    {
      g_string_assign (self->text, text);
      reset_markdown (self);
    }

  self->dirty = TRUE;
}

void
sero_chat_item_append_text (SeroChatItem *self,
                            const char   *delta)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  if (delta == NULL || delta[0] == '\0')
    return;

  g_string_append (self->text, delta);
  self->dirty = TRUE;
}

static void
append_parsed (GPtrArray  *into,
               const char *text,
               gsize       len)
{
  g_autoptr(GPtrArray) blocks = sero_markdown_parse (text, len);

  for (guint i = 0; i < blocks->len; i++)
    g_ptr_array_add (into, g_ptr_array_steal_index (blocks, i--));
}

/**
 * sero_chat_item_flush:
 *
 * Brings the rendering up to date with the text received so far and tells
 * the rows. Cheap when nothing arrived since the last call.
 *
 * Returns: whether anything changed
 */
gboolean
sero_chat_item_flush (SeroChatItem *self)
{
  guint first;
  gsize stable;

  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  if (!self->dirty)
    return FALSE;
  self->dirty = FALSE;

  if (!is_markdown (self))
    {
      g_signal_emit (self, signals[CHANGED], 0);
      return TRUE;
    }

  first = self->frozen->len;
  sero_markdown_splitter_advance (&self->splitter, self->text->str, self->text->len);
  stable = self->finished ? self->text->len : self->splitter.stable;

  if (stable > self->frozen_end)
    {
      append_parsed (self->frozen, self->text->str + self->frozen_end, stable - self->frozen_end);
      self->frozen_end = stable;
    }

  g_ptr_array_set_size (self->tail, 0);
  if (self->text->len > self->frozen_end)
    append_parsed (self->tail, self->text->str + self->frozen_end, self->text->len - self->frozen_end);

  g_signal_emit (self, signals[BLOCKS_CHANGED], 0, first);
  return TRUE;
}

/**
 * sero_chat_item_finish:
 *
 * The text is complete: everything is parsed as final.
 */
void
sero_chat_item_finish (SeroChatItem *self)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  if (self->finished)
    return;

  self->finished = TRUE;
  self->dirty = TRUE;
  sero_chat_item_flush (self);
}

gboolean
sero_chat_item_get_finished (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  return self->finished;
}

guint
sero_chat_item_get_n_blocks (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), 0);

  return self->frozen->len + self->tail->len;
}

const SeroMarkdownBlock *
sero_chat_item_get_block (SeroChatItem *self,
                          guint         position)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  if (position < self->frozen->len)
    return g_ptr_array_index (self->frozen, position);
  position -= self->frozen->len;
  if (position < self->tail->len)
    return g_ptr_array_index (self->tail, position);
  return NULL;
}

gboolean
sero_chat_item_get_expanded (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  return self->expanded;
}

/* Remembered here, not in the row, so that a card keeps its state when
 * the list recycles its row. */
void
sero_chat_item_set_expanded (SeroChatItem *self,
                             gboolean      expanded)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  self->expanded = !!expanded;
}

gboolean
sero_chat_item_get_is_error (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  return self->is_error;
}

void
sero_chat_item_set_is_error (SeroChatItem *self,
                             gboolean      is_error)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  self->is_error = !!is_error;
}

/* What a tool call acts on, in one line: the command, the path, the pattern. */
static char *
summarize_input (const char *name,
                 JsonObject *input)
{
  static const char * const keys[] = { "command", "path", "pattern", "file_path", NULL };
  g_autoptr(JsonNode) node = NULL;

  if (input == NULL)
    return g_strdup ("");

  for (guint i = 0; keys[i]; i++)
    {
      JsonNode *member = json_object_get_member (input, keys[i]);

      if (member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        {
          const char *value = json_node_get_string (member);
          const char *path = json_object_get_string_member_with_default (input, "path", NULL);

          if (g_str_equal (keys[i], "pattern") && path != NULL)
            return g_strdup_printf ("%s  %s", value, path);
          return g_strdup (value);
        }
    }

  node = json_node_init_object (json_node_alloc (), input);
  return json_to_string (node, FALSE);
}

void
sero_chat_item_set_tool (SeroChatItem *self,
                         const char   *name,
                         JsonObject   *input)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  g_free (self->tool_name);
  self->tool_name = g_strdup (name);
  g_free (self->tool_detail);
  self->tool_detail = summarize_input (name, input);
  self->dirty = TRUE;
}

void
sero_chat_item_set_tool_result (SeroChatItem *self,
                                const char   *output,
                                gboolean      is_error)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  g_free (self->tool_output);
  self->tool_output = g_strdup (output ? output : "");
  self->is_error = !!is_error;
  self->finished = TRUE;
  /* A finished card folds away; its output stays one click away. */
  self->expanded = FALSE;
  self->dirty = TRUE;
}

const char *
sero_chat_item_get_tool_name (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->tool_name;
}

const char *
sero_chat_item_get_tool_detail (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->tool_detail;
}

const char *
sero_chat_item_get_tool_output (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->tool_output;
}

/**
 * sero_chat_item_dup_tool_status:
 *
 * Returns: (transfer full): how the call ended, as a person reads it:
 *   running, done, the exit code of a failed command, or failed
 */
char *
sero_chat_item_dup_tool_status (SeroChatItem *self)
{
  const char *marker;

  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  if (!self->finished)
    return g_strdup (_("Running"));
  if (!self->is_error)
    return g_strdup (_("Done"));

  /* The bash tool ends a failed command's output with this sentence. */
  if (self->tool_output != NULL &&
      (marker = g_strrstr (self->tool_output, "Command exited with code ")) != NULL)
    {
      gint64 code = g_ascii_strtoll (marker + strlen ("Command exited with code "), NULL, 10);

      return g_strdup_printf (_("Exit code %" G_GINT64_FORMAT), code);
    }

  return g_strdup (_("Failed"));
}

void
sero_chat_item_set_expires_at (SeroChatItem *self,
                               gint64        unix_ms)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  self->expires_at = unix_ms;
  self->dirty = TRUE;
}

gint64
sero_chat_item_get_expires_at (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), 0);

  return self->expires_at;
}

void
sero_chat_item_set_options (SeroChatItem       *self,
                            const char * const *options,
                            gboolean            allow_free_text)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  g_strfreev (self->options);
  self->options = g_strdupv ((char **) options);
  self->allow_free_text = !!allow_free_text;
  self->dirty = TRUE;
}

const char * const *
sero_chat_item_get_options (SeroChatItem *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->options ? (const char * const *) self->options : none;
}

gboolean
sero_chat_item_get_allow_free_text (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  return self->allow_free_text;
}

/**
 * sero_chat_item_resolve:
 * @answer: (nullable): "allow", "block" or "cancelled" for a permission; the
 *   answer, or %NULL when nobody answered, for a question
 */
void
sero_chat_item_resolve (SeroChatItem *self,
                        const char   *answer)
{
  g_return_if_fail (SERO_IS_CHAT_ITEM (self));

  self->resolved = TRUE;
  g_free (self->answer);
  self->answer = g_strdup (answer);
  self->dirty = TRUE;
}

const char *
sero_chat_item_get_answer (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), NULL);

  return self->answer;
}

gboolean
sero_chat_item_get_resolved (SeroChatItem *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ITEM (self), FALSE);

  return self->resolved;
}
