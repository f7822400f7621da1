/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-markdown.h"

G_BEGIN_DECLS

typedef enum
{
  SERO_CHAT_ITEM_USER,
  SERO_CHAT_ITEM_ASSISTANT,
  SERO_CHAT_ITEM_THINKING,
  SERO_CHAT_ITEM_TOOL,
  SERO_CHAT_ITEM_PERMISSION,
  SERO_CHAT_ITEM_QUESTION,
  SERO_CHAT_ITEM_NOTICE,
} SeroChatItemKind;

#define SERO_TYPE_CHAT_ITEM (sero_chat_item_get_type ())

G_DECLARE_FINAL_TYPE (SeroChatItem, sero_chat_item, SERO, CHAT_ITEM, GObject)

SeroChatItem             *sero_chat_item_new               (SeroChatItemKind  kind,
                                                            const char       *id);
SeroChatItemKind          sero_chat_item_get_kind          (SeroChatItem     *self);
const char               *sero_chat_item_get_id            (SeroChatItem     *self);
const char               *sero_chat_item_get_text          (SeroChatItem     *self);
void                      sero_chat_item_set_text          (SeroChatItem     *self,
                                                            const char       *text);
void                      sero_chat_item_append_text       (SeroChatItem     *self,
                                                            const char       *delta);
gboolean                  sero_chat_item_flush             (SeroChatItem     *self);
void                      sero_chat_item_finish            (SeroChatItem     *self);
gboolean                  sero_chat_item_get_finished      (SeroChatItem     *self);
guint                     sero_chat_item_get_n_blocks      (SeroChatItem     *self);
const SeroMarkdownBlock  *sero_chat_item_get_block         (SeroChatItem     *self,
                                                            guint             position);
gboolean                  sero_chat_item_get_expanded      (SeroChatItem     *self);
void                      sero_chat_item_set_expanded      (SeroChatItem     *self,
                                                            gboolean          expanded);
gboolean                  sero_chat_item_get_is_error      (SeroChatItem     *self);
void                      sero_chat_item_set_is_error      (SeroChatItem     *self,
                                                            gboolean          is_error);

void                      sero_chat_item_set_tool          (SeroChatItem     *self,
                                                            const char       *name,
                                                            JsonObject       *input);
void                      sero_chat_item_set_tool_result   (SeroChatItem     *self,
                                                            const char       *output,
                                                            gboolean          is_error);
const char               *sero_chat_item_get_tool_name     (SeroChatItem     *self);
const char               *sero_chat_item_get_tool_detail   (SeroChatItem     *self);
const char               *sero_chat_item_get_tool_output   (SeroChatItem     *self);
char                     *sero_chat_item_dup_tool_status   (SeroChatItem     *self);

void                      sero_chat_item_set_expires_at    (SeroChatItem     *self,
                                                            gint64            unix_ms);
gint64                    sero_chat_item_get_expires_at    (SeroChatItem     *self);
void                      sero_chat_item_set_options       (SeroChatItem     *self,
                                                            const char * const *options,
                                                            gboolean          allow_free_text);
const char * const       *sero_chat_item_get_options       (SeroChatItem     *self);
gboolean                  sero_chat_item_get_allow_free_text (SeroChatItem   *self);
void                      sero_chat_item_resolve           (SeroChatItem     *self,
                                                            const char       *answer);
const char               *sero_chat_item_get_answer        (SeroChatItem     *self);
gboolean                  sero_chat_item_get_resolved      (SeroChatItem     *self);

G_END_DECLS
