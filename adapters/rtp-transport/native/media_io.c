// Centralita media datagram I/O (ADR 0009): UDP sockets read in batches with recvmmsg and handed to
// JavaScript once per wake-up, sends written straight to sendto. One poller per media thread; every
// socket of that thread is registered with the poller's epoll set, and the poller's epoll descriptor
// is watched by the thread's libuv loop.
//
// It also writes the recordings' files in batches (writeFiles, at the end): one thread-pool job per media tick.
//
// The JavaScript side (src/native-media-io.ts) owns the policy: which socket is which leg, latching,
// statistics. This file only moves bytes, so it stays small and easy to audit.
//
// Received packets land in one shared slab (SLOT_BYTES per packet) with a row of metadata each:
//   [socket id, length, family (4 or 6), source port, address words 0..3, age]
// where age is how many microseconds before the batch callback the kernel received the datagram (its
// SO_TIMESTAMPNS stamp), or -1 when the kernel gave none. A datagram that waited for the reader (a gathering
// window, a busy media thread) thus keeps its true arrival time, which RTP's interarrival jitter and the
// jitter buffer need. The slab is reused on the next wake-up: a packet's bytes are valid only during the
// batch callback.
//
// Gathering: phones send each stream's packets on their own clocks, so under load datagrams arrive one at a
// time and an event-driven reader wakes (and pays for a wake-up and two epoll calls) once per datagram. With a
// gathering window, a wake-up that read something stops watching the sockets and sleeps on a timerfd for the
// window; the datagrams that arrive meanwhile are read in one go when it fires, and the window starts again.
// While traffic flows the reader stays on the timer (no epoll_ctl per window); the first wake-up that finds
// nothing goes back to watching the sockets.
// A datagram waits at most one window (500 µs by default), well inside what a phone's jitter buffer absorbs.

#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define SLOT_BYTES 2048
#define MAX_BATCH 128
#define META_WORDS 9
#define AGE_WORD 8
#define CONTROL_BYTES CMSG_SPACE(sizeof(struct timespec))
#define MAX_GATHER_MICROS 20000
#define MAX_EVENTS 128

typedef struct {
  int fd;
  int family;
  int isOpen;
  int hasDestination;
  struct sockaddr_storage destination;
  socklen_t destinationLength;
} media_socket;

typedef struct {
  napi_env env;
  int epfd;
  uv_poll_t poll;  // watches the epoll set: a datagram is waiting
  uv_poll_t pause; // watches the timerfd: the gathering window is over
  int timerfd;
  int gatherMicros; // 0: read as soon as anything arrives
  int isShutDown;
  int isReadingNow; // readWaiting is running: JavaScript is on the stack, batches are plain calls
  int isDelivering; // a batch callback is running: the slab is in use
  int references; // the JavaScript external and the two libuv handles
  int openSockets;
  napi_ref onBatch;
  napi_ref slabRef;
  napi_ref metaRef;
  napi_async_context asyncContext;
  napi_async_cleanup_hook_handle cleanupHook;
  uint8_t *slab;
  int32_t *meta;
  media_socket *sockets;
  int socketCapacity;
  int *freeIds;
  int freeCount;
  struct mmsghdr messages[MAX_BATCH];
  struct iovec vectors[MAX_BATCH];
  struct sockaddr_storage names[MAX_BATCH];
  // Each datagram's ancillary data (its kernel timestamp), and the stamps read from it until delivery.
  union {
    char bytes[CONTROL_BYTES];
    struct cmsghdr align;
  } controls[MAX_BATCH];
  struct timespec arrivals[MAX_BATCH];
} media_poller;

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) {                                                                                           \
      napi_throw_error(env, "MEDIA_IO_NAPI", #call " failed");                                                        \
      return NULL;                                                                                                     \
    }                                                                                                                  \
  } while (0)

static void poller_release(media_poller *poller) {
  if (--poller->references > 0) return;
  free(poller->sockets);
  free(poller->freeIds);
  free(poller);
}

static void on_poll_closed(uv_handle_t *handle) {
  media_poller *poller = (media_poller *)handle->data;
  napi_env env = poller->env;
  if (poller->onBatch != NULL) napi_delete_reference(env, poller->onBatch);
  if (poller->slabRef != NULL) napi_delete_reference(env, poller->slabRef);
  if (poller->metaRef != NULL) napi_delete_reference(env, poller->metaRef);
  if (poller->asyncContext != NULL) napi_async_destroy(env, poller->asyncContext);
  poller->onBatch = NULL;
  poller->slabRef = NULL;
  poller->metaRef = NULL;
  poller->asyncContext = NULL;
  if (poller->cleanupHook != NULL) {
    napi_async_cleanup_hook_handle hook = poller->cleanupHook;
    poller->cleanupHook = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
  poller_release(poller);
}

// Close callback of a handle that holds only a reference (the timer watch, or a half-built poller's poll).
static void release_on_close(uv_handle_t *handle) { poller_release((media_poller *)handle->data); }

static void poller_shut_down(media_poller *poller) {
  if (poller->isShutDown) return;
  poller->isShutDown = 1;
  for (int id = 0; id < poller->socketCapacity; id++) {
    if (poller->sockets[id].isOpen) {
      close(poller->sockets[id].fd);
      poller->sockets[id].isOpen = 0;
    }
  }
  poller->openSockets = 0;
  uv_poll_stop(&poller->poll);
  uv_poll_stop(&poller->pause);
  close(poller->epfd);
  close(poller->timerfd);
  uv_close((uv_handle_t *)&poller->pause, release_on_close);
  uv_close((uv_handle_t *)&poller->poll, on_poll_closed);
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *data) {
  (void)handle;
  poller_shut_down((media_poller *)data);
}

static void on_external_finalized(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  poller_release((media_poller *)data);
}

static void set_address_words(int32_t *row, const struct sockaddr_storage *name) {
  if (name->ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)name;
    row[2] = 4;
    row[3] = ntohs(v4->sin_port);
    memcpy(&row[4], &v4->sin_addr, 4);
    row[5] = row[6] = row[7] = 0;
  } else {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)name;
    row[2] = 6;
    row[3] = ntohs(v6->sin6_port);
    memcpy(&row[4], &v6->sin6_addr, 16);
  }
}

// The kernel's receive stamp of a datagram, or a zero time when it carries none.
static struct timespec arrival_of(struct msghdr *header) {
  struct timespec stamp = {0, 0};
  if (header->msg_flags & MSG_CTRUNC) return stamp;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
  }
  return stamp;
}

// Hands a batch to JavaScript; returns 0, or -1 when the callback threw inside readWaiting (the exception is
// left pending, so it reaches readWaiting's caller).
static int deliver(media_poller *poller, int count) {
  napi_env env = poller->env;
  // Ages against one reading of the clock, taken just before JavaScript reads its own (see the header).
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (int i = 0; i < count; i++) {
    const struct timespec *stamp = &poller->arrivals[i];
    int32_t *row = &poller->meta[i * META_WORDS];
    if (stamp->tv_sec == 0 && stamp->tv_nsec == 0) {
      row[AGE_WORD] = -1;
      continue;
    }
    int64_t ageMicros = ((int64_t)(now.tv_sec - stamp->tv_sec) * 1000000000LL + (now.tv_nsec - stamp->tv_nsec)) / 1000;
    // A clock stepped backwards makes a negative age: treat the datagram as just arrived.
    row[AGE_WORD] = ageMicros < 0 ? 0 : ageMicros > INT32_MAX ? INT32_MAX : (int32_t)ageMicros;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  int outcome = 0;
  napi_value callback, receiver, argument, result;
  if (napi_get_reference_value(env, poller->onBatch, &callback) == napi_ok && callback != NULL &&
      napi_get_global(env, &receiver) == napi_ok && napi_create_int32(env, count, &argument) == napi_ok) {
    poller->isDelivering = 1;
    if (poller->isReadingNow) {
      // Called from JavaScript (readWaiting): a plain call, so no callback scope ends here and no promise
      // continuation runs in the middle of the caller's work.
      if (napi_call_function(env, receiver, callback, 1, &argument, &result) == napi_pending_exception) outcome = -1;
      poller->isDelivering = 0;
      napi_close_handle_scope(env, scope);
      return outcome;
    }
    napi_status status = napi_make_callback(env, poller->asyncContext, receiver, callback, 1, &argument, &result);
    poller->isDelivering = 0;
    if (status == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
  return outcome;
}

// Reads every waiting datagram and hands them over in batches; returns how many were read. Stops early when a
// batch callback called from readWaiting threw (the exception is pending for the caller).
static int drain(media_poller *poller) {
  struct epoll_event ready[MAX_EVENTS];
  int readyCount = epoll_wait(poller->epfd, ready, MAX_EVENTS, 0);
  int count = 0;
  int total = 0;
  for (int e = 0; e < readyCount; e++) {
    int id = (int)ready[e].data.u32;
    if (id < 0 || id >= poller->socketCapacity || !poller->sockets[id].isOpen) continue;
    int fd = poller->sockets[id].fd;
    while (count < MAX_BATCH) {
      int wanted = MAX_BATCH - count;
      int got = recvmmsg(fd, &poller->messages[count], (unsigned int)wanted, MSG_DONTWAIT, NULL);
      if (got <= 0) break;
      for (int i = count; i < count + got; i++) {
        int32_t *row = &poller->meta[i * META_WORDS];
        row[0] = id;
        // A datagram longer than a slot is cut (MSG_TRUNC): report it as length -1 so it is dropped.
        row[1] = (poller->messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)poller->messages[i].msg_len;
        set_address_words(row, &poller->names[i]);
        poller->arrivals[i] = arrival_of(&poller->messages[i].msg_hdr);
        // recvmmsg wrote only the entries it filled: make those ready again, and only those.
        poller->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        poller->messages[i].msg_hdr.msg_controllen = CONTROL_BYTES;
        poller->messages[i].msg_hdr.msg_flags = 0;
      }
      count += got;
      total += got;
      if (got < wanted) break;
    }
    if (count >= MAX_BATCH) {
      if (deliver(poller, count) < 0) return total;
      count = 0;
      if (poller->isShutDown) return total;
    }
  }
  if (count > 0) deliver(poller, count);
  return total;
}

static void on_readable(uv_poll_t *handle, int status, int events);
static void on_pause_over(uv_poll_t *handle, int status, int events);

// Arms the timerfd for one window from now. One-shot, so a window always starts after the batch before it was
// handled: a periodic timer would count the handling time in the window and wake more often for less.
static int arm_window(media_poller *poller) {
  struct itimerspec window;
  memset(&window, 0, sizeof window);
  window.it_value.tv_nsec = (long)poller->gatherMicros * 1000L;
  return timerfd_settime(poller->timerfd, 0, &window, NULL);
}

// Starts gathering: the sockets are no longer watched, the timerfd is. Switching costs epoll_ctl calls (libuv's
// uv_poll_start on an active handle even removes and re-adds the descriptor), so it is done only here and in
// stop_gathering: while traffic flows, a window costs one timerfd_settime and one read of the timerfd.
static void start_gathering(media_poller *poller) {
  if (arm_window(poller) != 0) return; // keep reading event by event
  uv_poll_stop(&poller->poll);
  uv_poll_start(&poller->pause, UV_READABLE, on_pause_over);
}

// A window passed with nothing to read: stop the timer and wait for the next datagram again.
static void stop_gathering(media_poller *poller) {
  uv_poll_stop(&poller->pause);
  uv_poll_start(&poller->poll, UV_READABLE, on_readable);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  media_poller *poller = (media_poller *)handle->data;
  if (status < 0 || poller->isShutDown) return;
  int total = drain(poller);
  if (total > 0 && poller->gatherMicros > 0 && !poller->isShutDown) start_gathering(poller);
}

static void on_pause_over(uv_poll_t *handle, int status, int events) {
  (void)events;
  media_poller *poller = (media_poller *)handle->data;
  if (poller->isShutDown) return;
  uint64_t expirations;
  ssize_t cleared = read(poller->timerfd, &expirations, sizeof expirations);
  (void)cleared;
  int total = status < 0 ? 0 : drain(poller);
  if (poller->isShutDown) return;
  if (total > 0 && arm_window(poller) == 0) return; // still gathering
  stop_gathering(poller);
}

static media_poller *poller_of(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "not a media poller");
    return NULL;
  }
  media_poller *poller = (media_poller *)data;
  if (poller->isShutDown) {
    napi_throw_error(env, "MEDIA_IO_SHUT_DOWN", "the media poller is shut down");
    return NULL;
  }
  return poller;
}

// The poller a function takes as its only argument, or NULL with a JavaScript exception pending.
static media_poller *only_poller_argument(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "MEDIA_IO_NAPI", "napi_get_cb_info failed");
    return NULL;
  }
  if (argc < 1) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "not a media poller");
    return NULL;
  }
  return poller_of(env, argv[0]);
}

static int socket_id_of(napi_env env, media_poller *poller, napi_value value) {
  int32_t id = -1;
  if (napi_get_value_int32(env, value, &id) != napi_ok || id < 0 || id >= poller->socketCapacity ||
      !poller->sockets[id].isOpen) {
    napi_throw_range_error(env, "MEDIA_IO_SOCKET", "no such open media socket");
    return -1;
  }
  return id;
}

static int read_address(napi_env env, napi_value addressValue, napi_value portValue, int family,
                        struct sockaddr_storage *out, socklen_t *outLength) {
  char text[64];
  size_t length = 0;
  int32_t port = 0;
  if (napi_get_value_string_utf8(env, addressValue, text, sizeof text, &length) != napi_ok ||
      napi_get_value_int32(env, portValue, &port) != napi_ok || port < 0 || port > 65535) {
    return -EINVAL;
  }
  memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, text, &v4->sin_addr) != 1) return -EINVAL;
    *outLength = sizeof *v4;
  } else {
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) != 1) return -EINVAL;
    *outLength = sizeof *v6;
  }
  return 0;
}

// createPoller(onBatch, gatherMicros = 0) -> { poller, slab: ArrayBuffer, meta: ArrayBuffer, slotBytes, metaWords }
static napi_value create_poller(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "createPoller needs a batch callback");
    return NULL;
  }
  int32_t gatherMicros = 0;
  if (argc >= 2 && (napi_get_value_int32(env, argv[1], &gatherMicros) != napi_ok || gatherMicros < 0 ||
                    gatherMicros > MAX_GATHER_MICROS)) {
    napi_throw_range_error(env, "MEDIA_IO_ARGUMENT", "the gathering window must be 0 to 20000 microseconds");
    return NULL;
  }
  media_poller *poller = calloc(1, sizeof *poller);
  if (poller == NULL) {
    napi_throw_error(env, "MEDIA_IO_MEMORY", "out of memory");
    return NULL;
  }
  poller->env = env;
  poller->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (poller->epfd < 0) {
    free(poller);
    napi_throw_error(env, "MEDIA_IO_EPOLL", strerror(errno));
    return NULL;
  }
  poller->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (poller->timerfd < 0) {
    close(poller->epfd);
    free(poller);
    napi_throw_error(env, "MEDIA_IO_TIMER", strerror(errno));
    return NULL;
  }
  poller->gatherMicros = gatherMicros;
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &poller->poll, poller->epfd) != 0) {
    close(poller->epfd);
    close(poller->timerfd);
    free(poller);
    napi_throw_error(env, "MEDIA_IO_LOOP", "cannot watch the epoll descriptor");
    return NULL;
  }
  if (uv_poll_init(loop, &poller->pause, poller->timerfd) != 0) {
    // The poll handle is initialised: it must be closed through libuv before the memory goes.
    poller->references = 1;
    poller->poll.data = poller;
    close(poller->epfd);
    close(poller->timerfd);
    uv_close((uv_handle_t *)&poller->poll, release_on_close);
    napi_throw_error(env, "MEDIA_IO_LOOP", "cannot watch the timer descriptor");
    return NULL;
  }
  poller->poll.data = poller;
  poller->pause.data = poller;
  poller->references = 3;
  napi_value slab, meta, external, result, name, number;
  void *slabData = NULL;
  void *metaData = NULL;
  CHECK(napi_create_arraybuffer(env, (size_t)SLOT_BYTES * MAX_BATCH, &slabData, &slab));
  CHECK(napi_create_arraybuffer(env, sizeof(int32_t) * META_WORDS * MAX_BATCH, &metaData, &meta));
  poller->slab = slabData;
  poller->meta = metaData;
  CHECK(napi_create_reference(env, slab, 1, &poller->slabRef));
  CHECK(napi_create_reference(env, meta, 1, &poller->metaRef));
  CHECK(napi_create_reference(env, argv[0], 1, &poller->onBatch));
  CHECK(napi_create_string_utf8(env, "centralita:media-io", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &poller->asyncContext));
  for (int i = 0; i < MAX_BATCH; i++) {
    poller->vectors[i].iov_base = poller->slab + (size_t)i * SLOT_BYTES;
    poller->vectors[i].iov_len = SLOT_BYTES;
    poller->messages[i].msg_hdr.msg_iov = &poller->vectors[i];
    poller->messages[i].msg_hdr.msg_iovlen = 1;
    poller->messages[i].msg_hdr.msg_name = &poller->names[i];
    poller->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    poller->messages[i].msg_hdr.msg_control = poller->controls[i].bytes;
    poller->messages[i].msg_hdr.msg_controllen = CONTROL_BYTES;
  }
  CHECK(napi_add_async_cleanup_hook(env, on_env_cleanup, poller, &poller->cleanupHook));
  uv_poll_start(&poller->poll, UV_READABLE, on_readable);
  uv_unref((uv_handle_t *)&poller->poll);
  uv_unref((uv_handle_t *)&poller->pause);
  CHECK(napi_create_external(env, poller, on_external_finalized, NULL, &external));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "poller", external));
  CHECK(napi_set_named_property(env, result, "slab", slab));
  CHECK(napi_set_named_property(env, result, "meta", meta));
  CHECK(napi_create_int32(env, SLOT_BYTES, &number));
  CHECK(napi_set_named_property(env, result, "slotBytes", number));
  CHECK(napi_create_int32(env, META_WORDS, &number));
  CHECK(napi_set_named_property(env, result, "metaWords", number));
  return result;
}

static int take_socket_id(media_poller *poller) {
  if (poller->freeCount > 0) return poller->freeIds[--poller->freeCount];
  int capacity = poller->socketCapacity == 0 ? 64 : poller->socketCapacity * 2;
  media_socket *sockets = realloc(poller->sockets, sizeof *sockets * (size_t)capacity);
  if (sockets == NULL) return -1;
  int *freeIds = realloc(poller->freeIds, sizeof *freeIds * (size_t)capacity);
  if (freeIds == NULL) {
    poller->sockets = sockets;
    return -1;
  }
  memset(sockets + poller->socketCapacity, 0, sizeof *sockets * (size_t)(capacity - poller->socketCapacity));
  poller->sockets = sockets;
  poller->freeIds = freeIds;
  // Hand out low ids first: push the new ids in reverse.
  for (int id = capacity - 1; id > poller->socketCapacity; id--) poller->freeIds[poller->freeCount++] = id;
  int id = poller->socketCapacity;
  poller->socketCapacity = capacity;
  return id;
}

static napi_value int_value(napi_env env, int32_t value) {
  napi_value result;
  if (napi_create_int32(env, value, &result) != napi_ok) return NULL;
  return result;
}

// bind(poller, address, port) -> socket id (>= 0) or -errno
static napi_value bind_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "bind(poller, address, port)");
    return NULL;
  }
  media_poller *poller = poller_of(env, argv[0]);
  if (poller == NULL) return NULL;
  char text[64];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[1], text, sizeof text, &length) != napi_ok) return int_value(env, -EINVAL);
  struct in6_addr probe;
  int family = inet_pton(AF_INET, text, &probe) == 1 ? AF_INET : AF_INET6;
  struct sockaddr_storage local;
  socklen_t localLength = 0;
  int failure = read_address(env, argv[1], argv[2], family, &local, &localLength);
  if (failure != 0) return int_value(env, failure);
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  // Kernel receive stamps (see the header). Without them (an old kernel) a datagram's age is unknown: -1.
  int on = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&local, localLength) != 0) {
    int error = errno;
    close(fd);
    return int_value(env, -error);
  }
  int id = take_socket_id(poller);
  if (id < 0) {
    close(fd);
    return int_value(env, -ENOMEM);
  }
  struct epoll_event event;
  memset(&event, 0, sizeof event);
  event.events = EPOLLIN;
  event.data.u32 = (uint32_t)id;
  if (epoll_ctl(poller->epfd, EPOLL_CTL_ADD, fd, &event) != 0) {
    int error = errno;
    close(fd);
    poller->freeIds[poller->freeCount++] = id;
    return int_value(env, -error);
  }
  media_socket *entry = &poller->sockets[id];
  memset(entry, 0, sizeof *entry);
  entry->fd = fd;
  entry->family = family;
  entry->isOpen = 1;
  if (poller->openSockets++ == 0) {
    uv_ref((uv_handle_t *)&poller->poll);
    uv_ref((uv_handle_t *)&poller->pause);
  }
  return int_value(env, id);
}

// The arguments of a call on one socket: (poller, id, ...). Returns the socket id, or -1 with a JavaScript
// exception pending (bad poller, shut down, no such socket).
static int socket_call(napi_env env, napi_callback_info info, size_t count, napi_value *argv, media_poller **out) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "expected (poller, socket id, ...)");
    return -1;
  }
  *out = poller_of(env, argv[0]);
  if (*out == NULL) return -1;
  return socket_id_of(env, *out, argv[1]);
}

// localPort(poller, id) -> port
static napi_value local_port(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  media_poller *poller = NULL;
  int id = socket_call(env, info, 2, argv, &poller);
  if (id < 0) return NULL;
  struct sockaddr_storage local;
  socklen_t length = sizeof local;
  if (getsockname(poller->sockets[id].fd, (struct sockaddr *)&local, &length) != 0) return int_value(env, -errno);
  int port = local.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&local)->sin_port)
                                        : ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
  return int_value(env, port);
}

// setDestination(poller, id, address, port) -> 0 or -errno
static napi_value set_destination(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  media_poller *poller = NULL;
  int id = socket_call(env, info, 4, argv, &poller);
  if (id < 0) return NULL;
  media_socket *entry = &poller->sockets[id];
  int failure = read_address(env, argv[2], argv[3], entry->family, &entry->destination, &entry->destinationLength);
  entry->hasDestination = failure == 0;
  return int_value(env, failure);
}

// send(poller, id, bytes, offset, length) -> bytes sent or -errno; to the socket's destination.
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  media_poller *poller = NULL;
  int id = socket_call(env, info, 5, argv, &poller);
  if (id < 0) return NULL;
  napi_typedarray_type type;
  size_t elements = 0;
  void *data = NULL;
  int32_t offset = 0;
  int32_t length = 0;
  if (napi_get_typedarray_info(env, argv[2], &type, &elements, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || napi_get_value_int32(env, argv[3], &offset) != napi_ok ||
      napi_get_value_int32(env, argv[4], &length) != napi_ok || offset < 0 || length < 0 ||
      (size_t)offset + (size_t)length > elements) {
    napi_throw_range_error(env, "MEDIA_IO_ARGUMENT", "send(poller, id, Uint8Array, offset, length) out of range");
    return NULL;
  }
  media_socket *entry = &poller->sockets[id];
  if (!entry->hasDestination) return int_value(env, -EDESTADDRREQ);
  ssize_t sent = sendto(entry->fd, (uint8_t *)data + offset, (size_t)length, MSG_DONTWAIT,
                        (struct sockaddr *)&entry->destination, entry->destinationLength);
  return int_value(env, sent < 0 ? -errno : (int32_t)sent);
}

// close(poller, id) -> undefined
static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  media_poller *poller = NULL;
  int id = socket_call(env, info, 2, argv, &poller);
  if (id < 0) return NULL;
  media_socket *entry = &poller->sockets[id];
  epoll_ctl(poller->epfd, EPOLL_CTL_DEL, entry->fd, NULL);
  close(entry->fd);
  entry->isOpen = 0;
  poller->freeIds[poller->freeCount++] = id;
  if (--poller->openSockets == 0) {
    uv_unref((uv_handle_t *)&poller->poll);
    uv_unref((uv_handle_t *)&poller->pause);
  }
  return NULL;
}

// shutDown(poller) -> undefined: closes every socket and stops watching.
static napi_value shut_down(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "not a media poller");
    return NULL;
  }
  poller_shut_down((media_poller *)data);
  return NULL;
}

// isGathering(poller) -> true while the reader wakes on its window's timer instead of on the sockets.
static napi_value is_gathering(napi_env env, napi_callback_info info) {
  media_poller *poller = only_poller_argument(env, info);
  if (poller == NULL) return NULL;
  napi_value result;
  // Gathering is the timer's watch being active (the sockets' is then stopped).
  CHECK(napi_get_boolean(env, uv_is_active((uv_handle_t *)&poller->pause) != 0, &result));
  return result;
}

// readWaiting(poller) -> how many datagrams were waiting: reads them now and hands them to the batch callback
// before returning, so a long piece of work on the media thread (a tick with hundreds of recordings) can let
// datagrams through instead of holding every one until it ends. Not from inside a batch callback (the slab is
// in use there): returns 0 then. Watching and gathering go on as before.
static napi_value read_waiting(napi_env env, napi_callback_info info) {
  media_poller *poller = only_poller_argument(env, info);
  if (poller == NULL) return NULL;
  int total = 0;
  if (!poller->isShutDown && !poller->isReadingNow && !poller->isDelivering) {
    poller->isReadingNow = 1;
    total = drain(poller);
    poller->isReadingNow = 0;
  }
  return int_value(env, total);
}

// addressText(bytes, offset, family) -> the address as inet_ntop writes it (as libuv does for dgram).
static napi_value address_text(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_typedarray_type type;
  size_t elements = 0;
  void *data = NULL;
  int32_t offset = 0;
  int32_t family = 0;
  if (argc < 3 || napi_get_typedarray_info(env, argv[0], &type, &elements, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || napi_get_value_int32(env, argv[1], &offset) != napi_ok ||
      napi_get_value_int32(env, argv[2], &family) != napi_ok || offset < 0 ||
      (size_t)offset + (family == 4 ? 4 : 16) > elements) {
    napi_throw_range_error(env, "MEDIA_IO_ARGUMENT", "addressText(Uint8Array, offset, 4 | 6) out of range");
    return NULL;
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family == 4 ? AF_INET : AF_INET6, (uint8_t *)data + offset, text, sizeof text) == NULL) {
    napi_throw_error(env, "MEDIA_IO_ADDRESS", strerror(errno));
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result));
  return result;
}

// errorName(errno) -> "EADDRINUSE"-style text for messages.
static napi_value error_text(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t code = 0;
  napi_get_value_int32(env, argv[0], &code);
  napi_value result;
  CHECK(napi_create_string_utf8(env, strerror(code < 0 ? -code : code), NAPI_AUTO_LENGTH, &result));
  return result;
}

// ------------------------------------------------------------------------------------------------------------
// Batched positional writes (recordings). Each recording appends a chunk about once a second and then patches
// its header's data size; done one by one, every write is a hop to libuv's thread pool and back to the media
// thread. writeFiles takes every write that came due in one media tick and performs them in ONE thread-pool
// job, in the order given (so a file's chunk precedes its header patch), then calls back once with a result
// per write. The media thread never waits for the disk: it only queues the job.

#define MAX_FILE_WRITES 65536

typedef struct {
  int fd;
  off_t position;
  const uint8_t *data;
  size_t length;
  int32_t result; // 0, or -errno
} file_write;

typedef struct {
  napi_async_work work;
  napi_ref buffersRef; // keeps the written bytes alive until the job is over
  napi_ref resultsRef;
  napi_ref onDone;
  int count;
  file_write writes[];
} file_write_batch;

// One pwrite to the end: a regular file may take fewer bytes than asked (a signal, a nearly full disk).
static int32_t write_fully(const file_write *entry) {
  size_t written = 0;
  while (written < entry->length) {
    ssize_t n = pwrite(entry->fd, entry->data + written, entry->length - written, entry->position + (off_t)written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) return -EIO;
    written += (size_t)n;
  }
  return 0;
}

// Runs in the thread pool. A write after a failed one on the same descriptor is skipped (-ECANCELED): a header
// patch must never count bytes that did not reach the file.
static void execute_file_writes(napi_env env, void *data) {
  (void)env;
  file_write_batch *batch = data;
  int failures = 0;
  for (int i = 0; i < batch->count; i++) {
    file_write *entry = &batch->writes[i];
    int isAfterFailure = 0;
    for (int j = 0; j < i && failures > 0 && !isAfterFailure; j++) {
      isAfterFailure = batch->writes[j].result < 0 && batch->writes[j].fd == entry->fd;
    }
    entry->result = isAfterFailure ? -ECANCELED : write_fully(entry);
    if (entry->result < 0) failures++;
  }
}

// Back on the media thread: the results go into the caller's Int32Array, then onDone() runs.
static void complete_file_writes(napi_env env, napi_status status, void *data) {
  file_write_batch *batch = data;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value results, callback, receiver, returned;
    napi_typedarray_type type;
    size_t elements = 0;
    void *resultData = NULL;
    if (napi_get_reference_value(env, batch->resultsRef, &results) == napi_ok && results != NULL &&
        napi_get_typedarray_info(env, results, &type, &elements, &resultData, NULL, NULL) == napi_ok &&
        type == napi_int32_array && elements >= (size_t)batch->count) {
      for (int i = 0; i < batch->count; i++) {
        ((int32_t *)resultData)[i] = status == napi_ok ? batch->writes[i].result : -ECANCELED;
      }
    }
    // During the environment's teardown no JavaScript can run: the calls below fail and that is fine.
    if (napi_get_reference_value(env, batch->onDone, &callback) == napi_ok && callback != NULL &&
        napi_get_global(env, &receiver) == napi_ok) {
      napi_call_function(env, receiver, callback, 0, NULL, &returned);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, batch->buffersRef);
  napi_delete_reference(env, batch->resultsRef);
  napi_delete_reference(env, batch->onDone);
  napi_delete_async_work(env, batch->work);
  free(batch);
}

// writeFiles(fds: Int32Array, positions: Float64Array, buffers: Uint8Array[], results: Int32Array, count,
//            onDone: () => void) -> undefined. Entry i writes all of buffers[i] at positions[i] of fds[i]; when
// all are done, results[i] holds 0 or -errno and onDone() is called. The buffers must not be changed until then.
static napi_value write_files(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_typedarray_type fdType, positionType, resultType;
  size_t fdCount = 0, positionCount = 0, resultCount = 0;
  void *fdData = NULL;
  void *positionData = NULL;
  int32_t count = 0;
  uint32_t bufferCount = 0;
  bool isArray = false;
  napi_valuetype callbackType;
  if (argc < 6 || napi_get_typedarray_info(env, argv[0], &fdType, &fdCount, &fdData, NULL, NULL) != napi_ok ||
      fdType != napi_int32_array ||
      napi_get_typedarray_info(env, argv[1], &positionType, &positionCount, &positionData, NULL, NULL) != napi_ok ||
      positionType != napi_float64_array || napi_is_array(env, argv[2], &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, argv[2], &bufferCount) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &resultType, &resultCount, NULL, NULL, NULL) != napi_ok ||
      resultType != napi_int32_array || napi_get_value_int32(env, argv[4], &count) != napi_ok || count < 0 ||
      count > MAX_FILE_WRITES || (size_t)count > fdCount || (size_t)count > positionCount ||
      (uint32_t)count > bufferCount || (size_t)count > resultCount ||
      napi_typeof(env, argv[5], &callbackType) != napi_ok || callbackType != napi_function) {
    napi_throw_type_error(env, "MEDIA_IO_ARGUMENT",
                          "writeFiles(Int32Array, Float64Array, Uint8Array[], Int32Array, count, onDone)");
    return NULL;
  }
  file_write_batch *batch = calloc(1, sizeof *batch + sizeof(file_write) * (size_t)count);
  if (batch == NULL) {
    napi_throw_error(env, "MEDIA_IO_MEMORY", "out of memory");
    return NULL;
  }
  batch->count = count;
  for (int32_t i = 0; i < count; i++) {
    napi_value element;
    napi_typedarray_type type;
    size_t length = 0;
    void *bytes = NULL;
    double position = ((const double *)positionData)[i];
    if (napi_get_element(env, argv[2], (uint32_t)i, &element) != napi_ok ||
        napi_get_typedarray_info(env, element, &type, &length, &bytes, NULL, NULL) != napi_ok ||
        type != napi_uint8_array || !(position >= 0 && position <= 9007199254740991.0)) {
      free(batch);
      napi_throw_type_error(env, "MEDIA_IO_ARGUMENT", "writeFiles: each write needs a Uint8Array and a position >= 0");
      return NULL;
    }
    batch->writes[i].fd = ((const int32_t *)fdData)[i];
    batch->writes[i].position = (off_t)position;
    batch->writes[i].data = bytes;
    batch->writes[i].length = length;
  }
  napi_value name;
  if (napi_create_reference(env, argv[2], 1, &batch->buffersRef) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &batch->resultsRef) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &batch->onDone) != napi_ok ||
      napi_create_string_utf8(env, "centralita:file-writes", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_file_writes, complete_file_writes, batch, &batch->work) !=
          napi_ok ||
      napi_queue_async_work(env, batch->work) != napi_ok) {
    if (batch->work != NULL) napi_delete_async_work(env, batch->work);
    if (batch->buffersRef != NULL) napi_delete_reference(env, batch->buffersRef);
    if (batch->resultsRef != NULL) napi_delete_reference(env, batch->resultsRef);
    if (batch->onDone != NULL) napi_delete_reference(env, batch->onDone);
    free(batch);
    napi_throw_error(env, "MEDIA_IO_NAPI", "cannot queue the file writes");
    return NULL;
  }
  return NULL;
}

// setThreadNice(nice) -> 0 or -errno. Sets the calling thread's nice value (on Linux a priority is per thread),
// so a media worker can run ahead of the process's other threads: V8's compiler and collector helpers, the
// thread pool. Lowering it below 0 needs CAP_SYS_NICE or RLIMIT_NICE; without them the answer is -EACCES or
// -EPERM and the thread keeps its priority.
static napi_value set_thread_nice(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t nice = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &nice) != napi_ok || nice < -20 || nice > 19) {
    napi_throw_range_error(env, "MEDIA_IO_ARGUMENT", "setThreadNice needs a nice value from -20 to 19");
    return NULL;
  }
  pid_t tid = (pid_t)syscall(SYS_gettid);
  if (setpriority(PRIO_PROCESS, (id_t)tid, nice) != 0) return int_value(env, -errno);
  return int_value(env, 0);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor properties[] = {
      {"createPoller", NULL, create_poller, NULL, NULL, NULL, napi_default, NULL},
      {"bind", NULL, bind_socket, NULL, NULL, NULL, napi_default, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_default, NULL},
      {"setDestination", NULL, set_destination, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"shutDown", NULL, shut_down, NULL, NULL, NULL, napi_default, NULL},
      {"isGathering", NULL, is_gathering, NULL, NULL, NULL, napi_default, NULL},
      {"readWaiting", NULL, read_waiting, NULL, NULL, NULL, napi_default, NULL},
      {"errorText", NULL, error_text, NULL, NULL, NULL, napi_default, NULL},
      {"addressText", NULL, address_text, NULL, NULL, NULL, napi_default, NULL},
      {"writeFiles", NULL, write_files, NULL, NULL, NULL, napi_default, NULL},
      {"setThreadNice", NULL, set_thread_nice, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) {
    return NULL;
  }
  return exports;
}
