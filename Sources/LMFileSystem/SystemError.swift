import Foundation

/// A failed system call's `errno` in plain words, the one place every file-system failure is
/// worded (so a full disk says "no space left on device", never a framework error code).
public enum SystemError {
    /// Plain words for `code` (an `errno` value), e.g. "no space left on device".
    public static func describe(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOENT: return "no such file"
        case ENOTDIR: return "a part of the path is not a directory"
        case EISDIR: return "it is a directory"
        case EEXIST: return "a file of that name already exists"
        case ENAMETOOLONG: return "the file name is too long"
        case EMFILE, ENFILE: return "too many open files"
        case EIO: return "input/output error (the device may be failing)"
        case EFBIG: return "the file is too large for the file system"
        case ENOTEMPTY: return "the directory is not empty"
        case ELOOP: return "too many symbolic links in the path"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    /// Plain words for the current `errno`.
    public static var current: String { describe(errno) }

    /// Plain words for an error thrown by Foundation (`FileManager`, `Data.write`, ...): the
    /// underlying `errno` when it carries one, else its own description.
    public static func describe(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return describe(Int32(error.code)) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return describe(underlying)
        }
        switch error.code {
        case NSFileWriteOutOfSpaceError: return describe(ENOSPC)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return describe(EACCES)
        case NSFileWriteVolumeReadOnlyError: return describe(EROFS)
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return describe(ENOENT)
        case NSFileWriteFileExistsError: return describe(EEXIST)
        default: return error.localizedDescription
        }
    }
}
