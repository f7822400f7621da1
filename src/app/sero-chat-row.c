/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-chat-row"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sero-chat-row.h"

/* One row of the chat view, recycled by the GtkListView across items of
 * every kind: a page of the stack per kind. An answer's Markdown blocks
 * become one widget each; when the item says which blocks changed, only
 * those are touched, and a block that keeps its kind keeps its widget, so
 * a streaming paragraph is one label whose text grows. */

#define OUTPUT_SHOWN_MAX (16 * 1024)

struct _SeroChatRow
{
  GtkWidget     parent_instance;

  SeroChatItem *item;
  gulong        changed_handler;
  gulong        blocks_handler;
  guint         countdown_source;
  gboolean      syncing;

  GtkStack     *stack;
  GtkLabel     *user_label;
  GtkBox       *blocks_box;
  GtkExpander  *thinking_expander;
  GtkLabel     *thinking_label;
  GtkWidget    *tool_card;
  GtkExpander  *tool_expander;
  GtkSpinner   *tool_spinner;
  GtkImage     *tool_icon;
  GtkLabel     *tool_name_label;
  GtkLabel     *tool_detail_label;
  GtkLabel     *tool_status_label;
  GtkLabel     *tool_output_label;
  GtkLabel     *permission_prompt_label;
  GtkWidget    *permission_buttons;
  GtkLabel     *permission_countdown_label;
  GtkWidget    *allow_button;
  GtkWidget    *block_button;
  GtkLabel     *permission_result_label;
  GtkLabel     *question_title_label;
  GtkFlowBox   *question_options;
  GtkWidget    *question_entry_box;
  GtkEntry     *question_entry;
  GtkWidget    *question_send_button;
  GtkLabel     *question_result_label;
  GtkLabel     *notice_label;
};

G_DEFINE_FINAL_TYPE (SeroChatRow, sero_chat_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * sero_chat_open_uri:
 *
 * Opens a link from an answer in the person's browser or mail program.
 * Only web and mail links: a model's answer is not trusted to open local
 * files or other handlers.
 */
void
sero_chat_open_uri (GtkWidget  *widget,
                    const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (scheme == NULL ||
      !(g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0 ||
        g_ascii_strcasecmp (scheme, "mailto") == 0))
    {
      g_message ("Not opening %s: only web and mail links open from a chat", uri);
      return;
    }

#if GTK_CHECK_VERSION (4, 10, 0) && defined (GDK_VERSION_4_10) && GDK_VERSION_MAX_ALLOWED >= GDK_VERSION_4_10
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, NULL, NULL, NULL);
  }
#else
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
#endif
}

static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  sero_chat_open_uri (GTK_WIDGET (label), uri);
  return TRUE;
}

static void
on_copy_clicked (GtkButton *button,
                 GtkLabel  *code)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), gtk_label_get_label (code));
}

static const char *
heading_class (int level)
{
  switch (level)
    {
    case 1: return "title-2";
    case 2: return "title-3";
    case 3: return "title-4";
    default: return "heading";
    }
}

static GtkWidget *
new_text_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_use_markup (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  g_signal_connect (label, "activate-link", G_CALLBACK (on_activate_link), NULL);
  return label;
}

static GtkWidget *
create_block_widget (const SeroMarkdownBlock *block)
{
  GtkWidget *widget;

  switch (block->kind)
    {
    case SERO_MARKDOWN_CODE:
      {
        GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        GtkWidget *language = gtk_label_new (block->language);
        GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
        GtkWidget *code = gtk_label_new (NULL);

        widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
        gtk_widget_add_css_class (widget, "sero-md-code");

        gtk_label_set_xalign (GTK_LABEL (language), 0);
        gtk_widget_set_hexpand (language, TRUE);
        gtk_widget_add_css_class (language, "caption");
        gtk_widget_add_css_class (language, "dim-label");
        gtk_box_append (GTK_BOX (header), language);

        gtk_widget_add_css_class (copy, "flat");
        gtk_widget_set_tooltip_text (copy, _("Copy Code"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Code"), -1);
        g_signal_connect (copy, "clicked", G_CALLBACK (on_copy_clicked), code);
        gtk_box_append (GTK_BOX (header), copy);
        gtk_widget_add_css_class (header, "sero-md-code-header");
        gtk_box_append (GTK_BOX (widget), header);

        gtk_label_set_xalign (GTK_LABEL (code), 0);
        gtk_label_set_wrap (GTK_LABEL (code), TRUE);
        gtk_label_set_wrap_mode (GTK_LABEL (code), PANGO_WRAP_CHAR);
        gtk_label_set_selectable (GTK_LABEL (code), TRUE);
        gtk_widget_add_css_class (code, "monospace");
        gtk_widget_add_css_class (code, "sero-md-code-text");
        gtk_box_append (GTK_BOX (widget), code);

        g_object_set_data (G_OBJECT (widget), "sero-code-label", code);
        g_object_set_data (G_OBJECT (widget), "sero-language-label", language);
      }
      break;

    case SERO_MARKDOWN_RULE:
      widget = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      break;

    case SERO_MARKDOWN_HEADING:
      widget = new_text_label ();
      gtk_widget_add_css_class (widget, heading_class (block->level));
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LEVEL, block->level, -1);
      break;

    case SERO_MARKDOWN_LIST:
      widget = new_text_label ();
      gtk_widget_add_css_class (widget, "sero-md-list");
      break;

    case SERO_MARKDOWN_QUOTE:
      widget = new_text_label ();
      gtk_widget_add_css_class (widget, "sero-md-quote");
      break;

    case SERO_MARKDOWN_TABLE:
      widget = new_text_label ();
      gtk_widget_add_css_class (widget, "sero-md-table");
      break;

    case SERO_MARKDOWN_PARAGRAPH:
    default:
      widget = new_text_label ();
      break;
    }

  g_object_set_data (G_OBJECT (widget), "sero-block-kind", GINT_TO_POINTER (block->kind + 1));
  g_object_set_data (G_OBJECT (widget), "sero-block-level", GINT_TO_POINTER (block->level));
  return widget;
}

static gboolean
widget_fits (GtkWidget               *widget,
             const SeroMarkdownBlock *block)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "sero-block-kind")) == (int) block->kind + 1 &&
         GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "sero-block-level")) == block->level;
}

static void
update_block_widget (GtkWidget               *widget,
                     const SeroMarkdownBlock *block)
{
  if (block->kind == SERO_MARKDOWN_CODE)
    {
      GtkLabel *code = g_object_get_data (G_OBJECT (widget), "sero-code-label");
      GtkLabel *language = g_object_get_data (G_OBJECT (widget), "sero-language-label");

      if (g_strcmp0 (gtk_label_get_label (code), block->text) != 0)
        gtk_label_set_text (code, block->text);
      gtk_label_set_text (language, block->language ? block->language : "");
    }
  else if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), block->text) != 0)
    gtk_label_set_markup (GTK_LABEL (widget), block->text);
}

/* Blocks before @first are unchanged; from it on, keep what still fits. */
static void
update_blocks (SeroChatRow *self,
               guint        first)
{
  guint n = sero_chat_item_get_n_blocks (self->item);
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks_box));
  guint i = 0;

  for (; child != NULL && i < first; i++)
    child = gtk_widget_get_next_sibling (child);

  for (; i < n; i++)
    {
      const SeroMarkdownBlock *block = sero_chat_item_get_block (self->item, i);

      if (child != NULL && widget_fits (child, block))
        {
          update_block_widget (child, block);
          child = gtk_widget_get_next_sibling (child);
        }
      else
        {
          GtkWidget *widget = create_block_widget (block);

          update_block_widget (widget, block);
          if (child != NULL)
            {
              GtkWidget *stale = child;

              child = gtk_widget_get_next_sibling (child);
              gtk_box_insert_child_after (self->blocks_box, widget, gtk_widget_get_prev_sibling (stale));
              gtk_box_remove (self->blocks_box, stale);
            }
          else
            gtk_box_append (self->blocks_box, widget);
        }
    }

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_box_remove (self->blocks_box, child);
      child = next;
    }
}

static void
clear_blocks (SeroChatRow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks_box))))
    gtk_box_remove (self->blocks_box, child);
}

static void
on_blocks_changed (SeroChatRow  *self,
                   guint         first,
                   SeroChatItem *item)
{
  update_blocks (self, first);
}

static gboolean
update_countdown (gpointer user_data)
{
  SeroChatRow *self = user_data;
  gint64 left_ms = sero_chat_item_get_expires_at (self->item) - g_get_real_time () / 1000;
  g_autofree char *text = NULL;

  if (left_ms <= 0)
    {
      gtk_label_set_text (self->permission_countdown_label, _("Expired"));
      gtk_widget_set_sensitive (self->allow_button, FALSE);
      gtk_widget_set_sensitive (self->block_button, FALSE);
      self->countdown_source = 0;
      return G_SOURCE_REMOVE;
    }

  text = g_strdup_printf (_("Blocked automatically in %d s"), (int) ((left_ms + 999) / 1000));
  gtk_label_set_text (self->permission_countdown_label, text);
  return G_SOURCE_CONTINUE;
}

static void
sync_permission (SeroChatRow *self)
{
  const char *id = sero_chat_item_get_id (self->item);
  gboolean resolved = sero_chat_item_get_resolved (self->item);

  gtk_label_set_text (self->permission_prompt_label, sero_chat_item_get_text (self->item));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->allow_button), "(ss)", id, "allow");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->block_button), "(ss)", id, "block");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->allow_button), "chat.permission");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->block_button), "chat.permission");
  gtk_widget_set_visible (self->permission_buttons, !resolved);
  gtk_widget_set_visible (GTK_WIDGET (self->permission_result_label), resolved);

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (resolved)
    {
      const char *answer = sero_chat_item_get_answer (self->item);

      gtk_label_set_text (self->permission_result_label,
                          g_strcmp0 (answer, "allow") == 0 ? _("Allowed") :
                          g_strcmp0 (answer, "block") == 0 ? _("Blocked") : _("No longer asked"));
      return;
    }

  gtk_widget_set_sensitive (self->allow_button, TRUE);
  gtk_widget_set_sensitive (self->block_button, TRUE);
  if (sero_chat_item_get_expires_at (self->item) > 0 && update_countdown (self))
    self->countdown_source = g_timeout_add_seconds (1, update_countdown, self);
  else if (sero_chat_item_get_expires_at (self->item) <= 0)
    gtk_label_set_text (self->permission_countdown_label, "");
}

static void
answer_question (SeroChatRow *self,
                 const char  *answer)
{
  if (self->item == NULL || answer == NULL || answer[0] == '\0')
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "chat.answer", "(ss)", sero_chat_item_get_id (self->item), answer);
}

static void
on_question_entry_activate (SeroChatRow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->question_entry))));

  answer_question (self, text);
}

static void
sync_question (SeroChatRow *self)
{
  const char * const *options = sero_chat_item_get_options (self->item);
  gboolean resolved = sero_chat_item_get_resolved (self->item);
  GtkWidget *child;

  gtk_label_set_text (self->question_title_label, sero_chat_item_get_text (self->item));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->question_options))))
    gtk_flow_box_remove (self->question_options, child);

  for (guint i = 0; options[i]; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (options[i]);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "chat.answer");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", sero_chat_item_get_id (self->item), options[i]);
      gtk_widget_add_css_class (button, "pill");
      gtk_widget_set_sensitive (button, !resolved);
      gtk_flow_box_append (self->question_options, button);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->question_options), options[0] != NULL);
  gtk_widget_set_visible (self->question_entry_box, !resolved && sero_chat_item_get_allow_free_text (self->item));
  gtk_widget_set_visible (GTK_WIDGET (self->question_result_label), resolved);

  if (resolved)
    {
      const char *answer = sero_chat_item_get_answer (self->item);
      g_autofree char *text = answer ? g_strdup_printf (_("Answered: %s"), answer) : g_strdup (_("No longer asked"));

      gtk_label_set_text (self->question_result_label, text);
    }
}

static void
sync_tool (SeroChatRow *self)
{
  gboolean finished = sero_chat_item_get_finished (self->item);
  gboolean is_error = sero_chat_item_get_is_error (self->item);
  const char *output = sero_chat_item_get_tool_output (self->item);
  const char *detail = sero_chat_item_get_tool_detail (self->item);
  g_autofree char *status = sero_chat_item_dup_tool_status (self->item);
  g_autofree char *label = NULL;
  gsize len = output ? strlen (output) : 0;

  gtk_label_set_text (self->tool_name_label, sero_chat_item_get_tool_name (self->item));
  gtk_label_set_text (self->tool_detail_label, detail ? detail : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->tool_detail_label), detail);
  gtk_label_set_text (self->tool_status_label, status);

  gtk_spinner_set_spinning (self->tool_spinner, !finished);
  gtk_widget_set_visible (GTK_WIDGET (self->tool_spinner), !finished);
  gtk_widget_set_visible (GTK_WIDGET (self->tool_icon), finished);
  gtk_image_set_from_icon_name (self->tool_icon, is_error ? "dialog-error-symbolic" : "object-select-symbolic");

  if (is_error && finished)
    gtk_widget_add_css_class (self->tool_card, "error");
  else
    gtk_widget_remove_css_class (self->tool_card, "error");

  /* A label lays out all its text; the tail is what a person reads. */
  if (len > OUTPUT_SHOWN_MAX)
    {
      const char *tail = g_utf8_find_next_char (output + len - OUTPUT_SHOWN_MAX, NULL);
      g_autofree char *shown = g_strdup_printf (_("[…earlier output not shown]\n%s"), tail);

      gtk_label_set_text (self->tool_output_label, shown);
    }
  else
    gtk_label_set_text (self->tool_output_label, finished ? (len ? output : _("(no output)")) : _("Running…"));

  label = g_strdup_printf (_("%s: %s, %s"), sero_chat_item_get_tool_name (self->item), detail ? detail : "", status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tool_expander), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_expander_set_expanded (self->tool_expander, sero_chat_item_get_expanded (self->item));
}

static void
sync_row (SeroChatRow *self)
{
  if (self->item == NULL)
    return;

  self->syncing = TRUE;

  switch (sero_chat_item_get_kind (self->item))
    {
    case SERO_CHAT_ITEM_USER:
      gtk_stack_set_visible_child_name (self->stack, "user");
      gtk_label_set_text (self->user_label, sero_chat_item_get_text (self->item));
      break;

    case SERO_CHAT_ITEM_ASSISTANT:
      gtk_stack_set_visible_child_name (self->stack, "assistant");
      break;

    case SERO_CHAT_ITEM_THINKING:
      gtk_stack_set_visible_child_name (self->stack, "thinking");
      gtk_label_set_text (self->thinking_label, sero_chat_item_get_text (self->item));
      gtk_expander_set_expanded (self->thinking_expander, sero_chat_item_get_expanded (self->item));
      break;

    case SERO_CHAT_ITEM_TOOL:
      gtk_stack_set_visible_child_name (self->stack, "tool");
      sync_tool (self);
      break;

    case SERO_CHAT_ITEM_PERMISSION:
      gtk_stack_set_visible_child_name (self->stack, "permission");
      sync_permission (self);
      break;

    case SERO_CHAT_ITEM_QUESTION:
      gtk_stack_set_visible_child_name (self->stack, "question");
      sync_question (self);
      break;

    case SERO_CHAT_ITEM_NOTICE:
    default:
      gtk_stack_set_visible_child_name (self->stack, "notice");
      gtk_label_set_text (self->notice_label, sero_chat_item_get_text (self->item));
      if (sero_chat_item_get_is_error (self->item))
        gtk_widget_add_css_class (GTK_WIDGET (self->notice_label), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->notice_label), "error");
      break;
    }

  self->syncing = FALSE;
}

static void
on_expanded (SeroChatRow *self,
             GParamSpec  *pspec,
             GtkExpander *expander)
{
  if (!self->syncing && self->item != NULL)
    sero_chat_item_set_expanded (self->item, gtk_expander_get_expanded (expander));
}

SeroChatItem *
sero_chat_row_get_item (SeroChatRow *self)
{
  g_return_val_if_fail (SERO_IS_CHAT_ROW (self), NULL);

  return self->item;
}

void
sero_chat_row_set_item (SeroChatRow  *self,
                        SeroChatItem *item)
{
  g_return_if_fail (SERO_IS_CHAT_ROW (self));
  g_return_if_fail (item == NULL || SERO_IS_CHAT_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->item);
      g_clear_signal_handler (&self->blocks_handler, self->item);
    }
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_set_object (&self->item, item);
  clear_blocks (self);

  if (item != NULL)
    {
      self->changed_handler = g_signal_connect_object (item, "changed", G_CALLBACK (sync_row), self, G_CONNECT_SWAPPED);
      self->blocks_handler = g_signal_connect_object (item, "blocks-changed", G_CALLBACK (on_blocks_changed),
                                                      self, G_CONNECT_SWAPPED);
      sync_row (self);
      if (sero_chat_item_get_kind (item) == SERO_CHAT_ITEM_ASSISTANT)
        update_blocks (self, 0);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
sero_chat_row_dispose (GObject *object)
{
  SeroChatRow *self = (SeroChatRow *) object;

  sero_chat_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_CHAT_ROW);

  G_OBJECT_CLASS (sero_chat_row_parent_class)->dispose (object);
}

static void
sero_chat_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SeroChatRow *self = SERO_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_chat_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SeroChatRow *self = SERO_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      sero_chat_row_set_item (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_chat_row_class_init (SeroChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_chat_row_dispose;
  object_class->get_property = sero_chat_row_get_property;
  object_class->set_property = sero_chat_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, SERO_TYPE_CHAT_ITEM,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-chat-row.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "serochatrow");
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, user_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, blocks_box);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, thinking_expander);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, thinking_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_card);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_expander);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_spinner);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_icon);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_name_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_detail_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_status_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, tool_output_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, permission_prompt_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, permission_buttons);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, permission_countdown_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, allow_button);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, block_button);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, permission_result_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_title_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_options);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_entry_box);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_entry);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_send_button);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, question_result_label);
  gtk_widget_class_bind_template_child (widget_class, SeroChatRow, notice_label);
}

static void
sero_chat_row_init (SeroChatRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->tool_expander, "notify::expanded", G_CALLBACK (on_expanded), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->thinking_expander, "notify::expanded", G_CALLBACK (on_expanded), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->question_entry, "activate", G_CALLBACK (on_question_entry_activate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->question_send_button, "clicked", G_CALLBACK (on_question_entry_activate), self, G_CONNECT_SWAPPED);
}
