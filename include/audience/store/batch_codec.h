// The binary form of a WriteBatch: what the write-ahead log stores for each
// batch, so that replaying it rebuilds exactly the state the batch made.
//
//   ByteWriter w;
//   EncodeBatch(batch, &w);
//   ByteReader r(w.data(), "log record");
//   AUDIENCE_ASSIGN_OR_RETURN(WriteBatch back, DecodeBatch(&r));
//
// Every field of every operation is kept (rows, so that errors found on
// replay name the same rows; column blocks with their dictionaries in
// order, so that replay interns values in the same order). Times keep their
// full resolution (quarter nanoseconds) and infinities. Little-endian, as
// the snapshot; docs/file-format.md lists the layout.
//
// Decoding checks every count against the bytes left and every enum tag,
// so a damaged record yields DataLoss naming the field, never a crash or
// an unbounded allocation. A decoded batch still goes through
// Store::CheckBatch before it is applied.
#ifndef AUDIENCE_STORE_BATCH_CODEC_H_
#define AUDIENCE_STORE_BATCH_CODEC_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/store/write_batch.h"

AUDIENCE_BEGIN_NAMESPACE

void EncodeBatch(const WriteBatch& batch, ByteWriter* out);
absl::StatusOr<WriteBatch> DecodeBatch(ByteReader* in);

// absl::Time exactly: a tag byte (0 finite, 1 infinite future, 2 infinite
// past), then for finite times i64 unix seconds and u32 quarter
// nanoseconds past them.
void EncodeTime(absl::Time t, ByteWriter* out);
absl::StatusOr<absl::Time> DecodeTime(ByteReader* in, std::string_view what);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/batch_codec-inl.h"
#endif

#endif  // AUDIENCE_STORE_BATCH_CODEC_H_
