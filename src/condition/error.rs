//! How the condition language's parser and checker report an error: at a
//! column, in words.

use super::ConditionError;

pub(crate) type Result<T> = std::result::Result<T, ConditionError>;

pub(crate) fn fail<T>(at: usize, message: impl Into<String>) -> Result<T> {
    Err(ConditionError {
        at,
        message: message.into(),
    })
}
