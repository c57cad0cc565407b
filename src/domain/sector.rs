//! The stakeholder group a participant represents.

use super::{FieldError, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sector {
    Politics,
    Administration,
    Science,
    Education,
    Chamber,
    EmployersAssociation,
    TradeUnion,
    Company,
    Other,
}

impl Sector {
    pub const ALL: [Sector; 9] = [
        Sector::Politics,
        Sector::Administration,
        Sector::Science,
        Sector::Education,
        Sector::Chamber,
        Sector::EmployersAssociation,
        Sector::TradeUnion,
        Sector::Company,
        Sector::Other,
    ];

    pub fn parse(code: &str) -> Result<Sector, FieldError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(FieldError::Required);
        }
        Sector::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(FieldError::UnknownSector)
    }

    pub fn code(self) -> &'static str {
        match self {
            Sector::Politics => "politics",
            Sector::Administration => "administration",
            Sector::Science => "science",
            Sector::Education => "education",
            Sector::Chamber => "chamber",
            Sector::EmployersAssociation => "employers_association",
            Sector::TradeUnion => "trade_union",
            Sector::Company => "company",
            Sector::Other => "other",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Sector::Politics, Lang::De) => "Politik",
            (Sector::Politics, Lang::En) => "Politics",
            (Sector::Administration, Lang::De) => "Öffentliche Verwaltung",
            (Sector::Administration, Lang::En) => "Public administration",
            (Sector::Science, Lang::De) => "Wissenschaft",
            (Sector::Science, Lang::En) => "Science",
            (Sector::Education, Lang::De) => "Bildungsträger",
            (Sector::Education, Lang::En) => "Education provider",
            (Sector::Chamber, Lang::De) => "Kammer",
            (Sector::Chamber, Lang::En) => "Chamber",
            (Sector::EmployersAssociation, Lang::De) => "Arbeitgeberverband",
            (Sector::EmployersAssociation, Lang::En) => "Employers' association",
            (Sector::TradeUnion, Lang::De) => "Gewerkschaft / Arbeitnehmervertretung",
            (Sector::TradeUnion, Lang::En) => "Trade union / employee association",
            (Sector::Company, Lang::De) => "Unternehmen",
            (Sector::Company, Lang::En) => "Company",
            (Sector::Other, Lang::De) => "Sonstige",
            (Sector::Other, Lang::En) => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for sector in Sector::ALL {
            assert_eq!(Sector::parse(sector.code()), Ok(sector));
        }
        assert_eq!(Sector::parse("lobby"), Err(FieldError::UnknownSector));
        assert_eq!(Sector::parse(""), Err(FieldError::Required));
    }
}
