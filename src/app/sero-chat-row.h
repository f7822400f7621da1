/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sero-chat-item.h"

G_BEGIN_DECLS

#define SERO_TYPE_CHAT_ROW (sero_chat_row_get_type ())

G_DECLARE_FINAL_TYPE (SeroChatRow, sero_chat_row, SERO, CHAT_ROW, GtkWidget)

SeroChatItem *sero_chat_row_get_item (SeroChatRow  *self);
void          sero_chat_row_set_item (SeroChatRow  *self,
                                      SeroChatItem *item);
void          sero_chat_open_uri     (GtkWidget    *widget,
                                      const char   *uri);

G_END_DECLS
