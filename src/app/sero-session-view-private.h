/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-session-view.h"

G_BEGIN_DECLS

/* The view's way in for session events: the "event" signal handler calls
 * it, and tests and the stream benchmark feed it directly. */
void         _sero_session_view_handle_event (SeroSessionView *self,
                                              const char      *type,
                                              JsonObject      *payload);
/* Applies the streamed text now instead of at the next frame. */
void         _sero_session_view_flush        (SeroSessionView *self);
GListModel  *_sero_session_view_get_items    (SeroSessionView *self);
GtkTextView *_sero_session_view_get_composer (SeroSessionView *self);
GtkListView *_sero_session_view_get_list     (SeroSessionView *self);

G_END_DECLS
